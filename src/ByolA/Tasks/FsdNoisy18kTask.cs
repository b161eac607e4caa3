using ByolA.Data;
using System.Globalization;
using ByolA.Progress;
using CsvHelper;
using CsvHelper.Configuration;

namespace ByolA.Tasks;

/// <summary>
/// FSDnoisy18k: FSDnoisy18k.meta/{train,test}.csv (fname, label) with audio in FSDnoisy18k.audio_{train,test}/.
/// A seeded 10% of each class's train clips becomes the valid split (at least one per class with two or more clips).
/// </summary>
internal sealed class FsdNoisy18kTask : IDownstreamTask
{
    public string Name => "fsdnoisy18k";
    public string Description => "FSDnoisy18k, 20 classes (18532 clips)";
    public double UnitSec => 8.25;

    public OfficialCounts Official { get; } = new(18532, 20, new Dictionary<string, int> { [Splits.Test] = 947 });

    public TaskBuild Build(string datasetRoot, PreprocessOptions options, IProgressReporter progress, CancellationToken ct)
    {
        var train = Read(datasetRoot, "train");
        var test = Read(datasetRoot, "test");
        var rng = new Random(options.Seed);
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in train.GroupBy(t => t.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var names = group.Select(g => g.FileName).ToArray();
            rng.Shuffle(names);
            int take = names.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(names.Length * 0.1));
            valid.UnionWith(names.Take(take));
        }
        var rows = train.Select(t => t with { Split = valid.Contains(t.FileName) ? Splits.Valid : Splits.Train })
            .Concat(test.Select(t => t with { Split = Splits.Test }))
            .ToList();
        var files = rows.Select(r => new TaskFile(Path.Combine(datasetRoot, r.FileName), r.FileName)).ToList();
        DatasetFiles.RequireAll(files, Name, "FSDnoisy18k.meta/*.csv");
        return new TaskBuild(new TaskMetadata(rows), files);
    }

    List<MetadataRow> Read(string root, string part)
    {
        var path = DatasetFiles.RequireFile(root, Path.Combine("FSDnoisy18k.meta", part + ".csv"), Name);
        var rows = new List<MetadataRow>();
        try
        {
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.Trim });
            csv.Read();
            csv.ReadHeader();
            foreach (var col in new[] { "fname", "label" })
                if (!csv.HeaderRecord!.Contains(col))
                    throw new ByolAException($"{path}: column '{col}' missing; is this FSDnoisy18k's metadata?");
            while (csv.Read())
                rows.Add(new MetadataRow($"FSDnoisy18k.audio_{part}/{csv.GetField("fname")}", csv.GetField("label")!, Splits.Train));
        }
        catch (CsvHelperException e)
        {
            throw CsvErrors.Failure(path, e);
        }
        return rows;
    }
}
