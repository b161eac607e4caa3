using ByolA.Tests.Support;

namespace ByolA.Tests.Build;

public class GlibcxxWeakenerTests
{
    static string? NuGetOriginal()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = System.IO.Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        return File.Exists(path) ? path : null;
    }

    static string OutputCopy() =>
        System.IO.Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Original_needs_the_version_strongly_and_weaken_sets_only_the_weak_bit()
    {
        if (!OperatingSystem.IsLinux()) return;
        var original = NuGetOriginal();
        Assert.NotNull(original);
        Assert.True(ElfVersionWeakener.NeedsVersionStrongly(original!), "the NuGet cache copy must stay untouched");

        using var tmp = new TempDir();
        var copy = tmp.File("libLibTorchSharp.so");
        File.Copy(original!, copy);
        var stamp = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(WeakenResult.Patched, ElfVersionWeakener.Weaken(copy));
        Assert.False(ElfVersionWeakener.NeedsVersionStrongly(copy));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));

        var before = File.ReadAllBytes(original!);
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        var diffs = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        var single = Assert.Single(diffs);
        Assert.Equal(ElfVersionWeakener.VerFlgWeak, after[single] ^ before[single]);

        Assert.Equal(WeakenResult.AlreadyWeak, ElfVersionWeakener.Weaken(copy));
        Assert.Equal(WeakenResult.NotReferenced, ElfVersionWeakener.Weaken(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void Build_output_copy_loads_on_this_host()
    {
        if (!OperatingSystem.IsLinux()) return;
        var output = OutputCopy();
        Assert.True(File.Exists(output), $"expected the native library in the test output: {output}");
        var host = ElfVersionWeakener.FindHostLibStdCxx();
        bool hostHasIt = host != null && ElfVersionWeakener.FileDefinesVersion(host, ElfVersionWeakener.DefaultVersion);
        // When the host lacks GLIBCXX_3.4.32 the build must have weakened the need; when it has it, it must not touch the file.
        Assert.Equal(hostHasIt, ElfVersionWeakener.NeedsVersionStrongly(output));
    }

    [Fact]
    public void Host_detection_reads_version_definitions()
    {
        using var tmp = new TempDir();
        var lib = tmp.File("libfake.so");
        File.WriteAllBytes(lib, [0x7f, .. "ELF"u8.ToArray(), 0, .. "GLIBCXX_3.4.30"u8.ToArray(), 0, .. "GLIBCXX_3.4.32"u8.ToArray(), 0]);
        Assert.True(ElfVersionWeakener.FileDefinesVersion(lib, "GLIBCXX_3.4.32"));
        Assert.False(ElfVersionWeakener.FileDefinesVersion(lib, "GLIBCXX_3.4.3"));
    }

    [Fact]
    public void Rejects_non_elf_and_truncated_files()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionWeakener.FindVernauxFlagOffsets("not an elf file at all, just text......................................"u8.ToArray(), "X"));
        var header = new byte[64];
        header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F'; header[4] = 2; header[5] = 1;
        BitConverter.GetBytes(4096UL).CopyTo(header, 0x28);
        BitConverter.GetBytes((ushort)64).CopyTo(header, 0x3A);
        BitConverter.GetBytes((ushort)3).CopyTo(header, 0x3C);
        Assert.Throws<InvalidDataException>(() => ElfVersionWeakener.FindVernauxFlagOffsets(header, "X"));
    }
}
