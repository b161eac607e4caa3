using ByolA.Embedding.Formats;
using ByolA.Reports;
using ByolA.Tasks;
using ByolA.Tests.Support;
using static TorchSharp.torch;

namespace ByolA.Tests.Data;

/// <summary>Names that a spreadsheet would run as formulas reach every CSV we write as text (a leading apostrophe).</summary>
public class CsvCellsTests
{
    static readonly string[] Hostile = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\tx", "plain"];

    static void AssertNeutral(IEnumerable<string> firstCells)
    {
        foreach (var cell in firstCells)
        {
            var text = cell.Trim('"');
            Assert.False(text.Length > 0 && "=+-@\t\r".Contains(text[0]), $"formula cell written: {cell}");
        }
    }

    [Fact]
    public void Embed_csv_file_names_are_neutralised_and_negative_numbers_are_not()
    {
        using var tmp = new TempDir();
        var files = Hostile.Select(h => h + ".wav").ToArray();
        EmbedderOutput.WriteCsv(tmp.File("e.csv"), files, Enumerable.Repeat(-1.5f, files.Length * 2).ToArray(), [files.Length, 2]);
        var lines = File.ReadAllLines(tmp.File("e.csv")).Skip(1).ToList();
        AssertNeutral(lines.Select(l => l.Split(',')[0]));
        Assert.StartsWith("'=cmd|' /C calc'!A0.wav,-1.5,-1.5", lines[0]);
        Assert.StartsWith("plain.wav,-1.5,-1.5", lines[^1]);
    }

    [Fact]
    public void Scores_and_per_class_csvs_neutralise_model_and_class_names()
    {
        using var tmp = new TempDir();
        foreach (var model in Hostile) ScoresCsv.Append(tmp.File("t-scores.csv"), model, [0.5], 0.5, 0);
        var rows = ScoresCsv.Read(tmp.File("t-scores.csv"));
        AssertNeutral(rows.Select(r => r["model"]));
        Assert.Equal("'=cmd|' /C calc'!A0", rows[0]["model"]);

        var metadata = new TaskMetadata(Hostile.SelectMany((h, i) => new[]
        {
            new MetadataRow($"tr{i}.wav", h, Splits.Train), new MetadataRow($"te{i}.wav", h, Splits.Test),
        }).ToList());
        var predictions = metadata.Rows.Select(r => (long)metadata.Classes.ToList().IndexOf(r.Label)).ToArray();
        PerClassScores.Compute(metadata, [predictions]).WriteCsv(tmp.File("t-per-class.csv"));
        var cells = ScoresCsvCells(tmp.File("t-per-class.csv"));
        AssertNeutral(cells);
        Assert.Contains("'@SUM(1)", cells);

        // The multi-label per-class file writes class names the same way.
        var nan = metadata.Classes.Select(_ => double.NaN).ToList();
        new PerClassRankingScores(metadata.Classes, metadata.Classes.Select(_ => 1).ToList(), [nan], [nan]).WriteCsv(tmp.File("m-per-class.csv"));
        var rankingCells = ScoresCsvCells(tmp.File("m-per-class.csv"));
        AssertNeutral(rankingCells);
        Assert.Equal(cells, rankingCells);
    }

    /// <summary>The first cell of each data row, as a CSV reader sees it.</summary>
    static List<string> ScoresCsvCells(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvHelper.CsvReader(reader, System.Globalization.CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var cells = new List<string>();
        while (csv.Read()) cells.Add(csv.GetField(0)!);
        return cells;
    }
}
