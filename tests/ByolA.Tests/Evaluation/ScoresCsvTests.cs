using ByolA.Evaluation;
using ByolA.Tests.Support;

namespace ByolA.Tests.Evaluation;

public class ScoresCsvTests
{
    [Fact]
    public void Rows_append_in_the_original_column_layout()
    {
        using var dir = new TempDir();
        var path = dir.File("results/spcv2-scores.csv");
        ScoresCsv.Append(path, "AudioNTT2020-BYOLA-64x96d512", [0.5, 0.75], 0.625, 0.125);
        ScoresCsv.Append(path, "random", [0.25, 0.5], 0.375, 0.125);
        Assert.Equal(["run0,run1,model,mean,std", "0.5,0.75,AudioNTT2020-BYOLA-64x96d512,0.625,0.125", "0.25,0.5,random,0.375,0.125"],
            File.ReadAllLines(path));
    }

    [Fact]
    public void A_row_with_more_runs_widens_the_header_and_keeps_old_rows()
    {
        using var dir = new TempDir();
        var path = dir.File("t-scores.csv");
        ScoresCsv.Append(path, "a", [0.5], 0.5, 0);
        ScoresCsv.Append(path, "b", [0.25, 0.75, 1], 0.6666666666666666, 0.3118047822311618);
        var lines = File.ReadAllLines(path);
        Assert.Equal("run0,run1,run2,model,mean,std", lines[0]);
        Assert.Equal("0.5,,,a,0.5,0", lines[1]);
        Assert.StartsWith("0.25,0.75,1,b,0.6666666666666666,", lines[2]);
    }
}
