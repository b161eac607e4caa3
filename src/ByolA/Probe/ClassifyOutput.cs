using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ByolA.Data;
using CsvHelper;

namespace ByolA.Probe;

/// <summary>
/// <c>classify</c>'s answer as a file: <c>.csv</c> with one row per label (<c>file,start_sec,end_sec,rank,label,probability</c>;
/// the times empty for whole files), or <c>.json</c> (<c>{"task", "kind", "items": [{"file", "start_sec", "end_sec",
/// "labels": [{"label", "probability"}]}]}</c>). Written atomically.
/// </summary>
internal static class ClassifyOutput
{
    /// <summary>"csv" or "json" from the extension (any case), or null.</summary>
    public static string? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".json" => "json",
        _ => null,
    };

    public static void Write(string path, ClassifyResult result)
    {
        string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (FormatOf(path) == "json")
        {
            var items = new JsonArray();
            foreach (var item in result.Items)
                items.Add(new JsonObject
                {
                    ["file"] = item.File,
                    ["start_sec"] = item.StartSec,
                    ["end_sec"] = item.EndSec,
                    ["labels"] = new JsonArray([.. item.Labels.Select(l => (JsonNode)new JsonObject { ["label"] = l.Label, ["probability"] = l.Score })]),
                });
            var root = new JsonObject { ["task"] = result.Task, ["kind"] = result.MultiLabel ? "multi-label" : "single-label", ["items"] = items };
            AtomicFile.Write(path, s => JsonSerializer.Serialize(s, root, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            foreach (var h in new[] { "file", "start_sec", "end_sec", "rank", "label", "probability" }) csv.WriteField(h);
            csv.NextRecord();
            foreach (var item in result.Items)
                for (int r = 0; r < item.Labels.Count; r++)
                {
                    csv.WriteField(item.File);
                    csv.WriteField(item.StartSec is { } s ? Number(s) : "");
                    csv.WriteField(item.EndSec is { } e ? Number(e) : "");
                    csv.WriteField((r + 1).ToString(CultureInfo.InvariantCulture));
                    csv.WriteField(item.Labels[r].Label);
                    csv.WriteField(Number(item.Labels[r].Score));
                    csv.NextRecord();
                }
        });
    }
}
