using ByolA.Data;
using ByolA.Tasks;
using ByolA.Tests.Support;

namespace ByolA.Tests.Tasks;

public class TaskMetadataTests
{
    [Fact]
    public void Csv_round_trips_splits_and_folds()
    {
        using var dir = new TempDir();
        var rows = new[] { new MetadataRow("a/x.wav", "cat, big", "train"), new MetadataRow("b/y.wav", "dog", "test") };
        var path = dir.File("m/task.csv");
        new TaskMetadata(rows).Write(path);
        Assert.Equal("file_name,label,split", File.ReadLines(path).First());
        Assert.Equal(rows, TaskMetadata.Read(path).Rows);

        var folds = new[] { new MetadataRow("fold1/x.wav", "siren", Fold: 1), new MetadataRow("fold2/y.wav", "siren", Fold: 2) };
        new TaskMetadata(folds).Write(path);
        var read = TaskMetadata.Read(path);
        Assert.True(read.HasFolds);
        Assert.Equal(folds, read.Rows);
        Assert.Equal([1, 2], read.Folds);
        Assert.Empty(Directory.GetFiles(dir.File("m"), "*" + ByolA.Data.AtomicFile.TempMarker + "*"));
    }

    [Fact]
    public void Val_and_valid_both_mean_valid()
    {
        using var dir = new TempDir();
        var path = dir.File("t.csv");
        File.WriteAllLines(path, ["file_name,label,split,extra", "a.wav,x,val,1", "b.wav,x,valid,2", "c.wav,y,TRAIN,3"]);
        Assert.Equal(["valid", "valid", "train"], TaskMetadata.Read(path).Rows.Select(r => r.Split));
    }

    [Theory]
    [InlineData("../secret.wav", "climbs out")]
    [InlineData("a/../../b.wav", "climbs out")]
    [InlineData("/etc/passwd", "absolute")]
    public void File_names_escaping_the_audio_folder_are_rejected(string name, string why)
    {
        using var dir = new TempDir();
        var path = dir.File("t.csv");
        File.WriteAllLines(path, ["file_name,label,split", $"{name},x,train"]);
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.Contains(why, e.Message);
        Assert.Contains("t.csv:2", e.Message);
        Assert.Throws<ByolAException>(() => TaskMetadata.Resolve(dir.Path, name));
    }

    [Fact]
    public void Bad_headers_and_values_are_clear_errors()
    {
        using var dir = new TempDir();
        var path = dir.File("t.csv");
        File.WriteAllLines(path, ["name,label", "a.wav,x"]);
        Assert.Contains("file_name, label and split or fold", Assert.Throws<ByolAException>(() => TaskMetadata.Read(path)).Message);
        File.WriteAllLines(path, ["file_name,label,split", "a.wav,x,dev"]);
        Assert.Contains("split 'dev'", Assert.Throws<ByolAException>(() => TaskMetadata.Read(path)).Message);
        File.WriteAllLines(path, ["file_name,label,fold", "a.wav,x,one"]);
        Assert.Contains("fold 'one'", Assert.Throws<ByolAException>(() => TaskMetadata.Read(path)).Message);
        Assert.Contains("not found", Assert.Throws<ByolAException>(() => TaskMetadata.Read(dir.File("none.csv"))).Message);
    }

    [Fact]
    public void Resolve_keeps_names_below_the_folder()
    {
        using var dir = new TempDir();
        Assert.Equal(Path.Combine(dir.Path, "a", "b.wav"), TaskMetadata.Resolve(dir.Path, "a/b.wav"));
    }

    [Fact]
    public void A_cell_with_several_labels_makes_the_task_multi_label_and_round_trips_quoted()
    {
        using var dir = new TempDir();
        var path = dir.File("m.csv");
        File.WriteAllText(path, "file_name,label,split\na.wav,\"dog,bark\",train\nb.wav,cat,train\nc.wav,\" bark , cat \",test\n");
        var m = TaskMetadata.Read(path);
        Assert.True(m.MultiLabel);
        Assert.Equal(["bark", "cat", "dog"], m.Classes);
        Assert.Equal(["dog", "bark"], m.LabelsOf(0));
        Assert.Equal(["cat"], m.LabelsOf(1));
        Assert.Equal(["bark", "cat"], m.LabelsOf(2));
        m.Write(dir.File("again.csv"));
        Assert.Contains("a.wav,\"dog,bark\",train", File.ReadAllLines(dir.File("again.csv")));
        Assert.DoesNotContain(TaskMetadata.Read(dir.File("again.csv")).Rows.Zip(m.Rows), p => p.First != p.Second);
        Assert.False(new TaskMetadata([new("a.wav", "dog", "train"), new("b.wav", "cat", "test")]).MultiLabel);
        // A known multi-label task whose rows hold one label each stays multi-label.
        var forced = new TaskMetadata([new("a.wav", "dog", "train"), new("b.wav", "cat", "test")], null, multiLabel: true);
        Assert.True(forced.MultiLabel);
        Assert.Equal(["dog"], forced.LabelsOf(0));
    }

    [Fact]
    public void An_empty_label_between_commas_is_one_line_naming_the_row()
    {
        using var dir = new TempDir();
        var path = dir.File("m.csv");
        File.WriteAllText(path, "file_name,label,split\na.wav,\"dog,,bark\",train\n");
        var e = Assert.Throws<ByolAException>(() => TaskMetadata.Read(path));
        Assert.StartsWith($"{path}: row 'a.wav' has the label cell 'dog,,bark' with an empty label between commas", e.Message);
    }
}
