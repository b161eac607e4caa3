using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

/// <summary>The committed audio fixtures (tests/ByolA.Tests/Data/Fixtures, made by make-fixtures.sh there).</summary>
static class Fixtures
{
    public static string Folder { get; } = Path.Combine(SharedData.RepoRoot, "tests", "ByolA.Tests", "Data", "Fixtures");

    public static string Path_(string relative) => Path.Combine(Folder, relative);

    /// <summary>The lines of flac/reference.txt: name, rate, bits, channels, frames, SHA-256 of flac -d's output as int32.</summary>
    public static IEnumerable<object[]> FlacReferences() =>
        File.ReadAllLines(Path_("flac/reference.txt")).Where(l => l.Length > 0).Select(l => l.Split(' ')).Select(p => new object[] { p[0] });

    public static (int Rate, int Bits, int Channels, long Frames, string Sha256) FlacReference(string name)
    {
        var p = File.ReadAllLines(Path_("flac/reference.txt")).Select(l => l.Split(' ')).Single(p => p[0] == name);
        return (int.Parse(p[1]), int.Parse(p[2]), int.Parse(p[3]), long.Parse(p[4]), p[5]);
    }
}
