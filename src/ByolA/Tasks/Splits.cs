namespace ByolA.Tasks;

/// <summary>The split names of metadata CSVs; the original spcv* files say <c>val</c>, which means <see cref="Valid"/>.</summary>
internal static class Splits
{
    public const string Train = "train";
    public const string Valid = "valid";
    public const string Test = "test";

    /// <summary>The canonical split name for <paramref name="text"/> (case-insensitive; val → valid), or null when unknown.</summary>
    public static string? Normalise(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "train" or "training" => Train,
        "valid" or "val" or "validation" => Valid,
        "test" or "testing" => Test,
        _ => null,
    };
}
