namespace ByolA.Embedding.Formats;

/// <summary>The output formats, chosen by the output path's extension here and nowhere else.</summary>
internal static class EmbeddingFormats
{
    public static readonly EmbeddingFormat Npy = new NpyEmbeddings();
    public static readonly EmbeddingFormat Csv = new CsvEmbeddings();
    public static readonly EmbeddingFormat Npz = new NpzEmbeddings();

    /// <summary>Every format, in the order messages list them.</summary>
    public static IReadOnlyList<EmbeddingFormat> All { get; } = [Npy, Csv, Npz];

    /// <summary>The format of <paramref name="path"/> by its extension (any case), or null when none has it.</summary>
    public static EmbeddingFormat? ForPath(string path) =>
        All.FirstOrDefault(f => f.Extension.Equals(Path.GetExtension(path), StringComparison.OrdinalIgnoreCase));

    /// <summary>The format of <paramref name="path"/>, or an <see cref="OptionException"/> naming <paramref name="option"/> and the extensions there are.</summary>
    public static EmbeddingFormat Require(string path, string option) => ForPath(path)
        ?? throw OptionException.Invalid(option, $"must be a file name ending in {Names(All)} (got {ByolAException.Escape(path)})");

    /// <summary>".npy, .csv or .npz": the extensions of <paramref name="formats"/> in words.</summary>
    public static string Names(IEnumerable<EmbeddingFormat> formats)
    {
        var names = formats.Select(f => f.Extension).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }
}
