using ByolA.Audio;
namespace ByolA.Embedding;

/// <summary>What an embed job did: rows and width written, the files written, the stats used and what was skipped.</summary>
public sealed record EmbedderJobResult(
    int Rows,
    IReadOnlyList<long> Shape,
    string Architecture,
    NormStats Stats,
    bool StatsComputed,
    IReadOnlyList<string> Written,
    IReadOnlyList<(string Path, string Reason)> Skipped);
