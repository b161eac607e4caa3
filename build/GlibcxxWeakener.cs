#nullable enable
// Build-time fix for TorchSharp 0.107 on hosts whose libstdc++ predates GCC 13.
//
// libLibTorchSharp.so declares a need for GLIBCXX_3.4.32 only for `std::ios_base_library_init`, a symbol no
// relocation uses. Marking that Vernaux entry weak (VER_FLG_WEAK) lets the dynamic loader accept an older
// libstdc++. This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (Directory.Build.targets) and
// into the test project (which defines BYOLA_NO_MSBUILD_TASK) so the logic is unit-tested.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

#if !BYOLA_NO_MSBUILD_TASK
/// <summary>MSBuild task: weakens the GLIBCXX version need of every libLibTorchSharp.so below a folder.</summary>
public class WeakenGlibcxxVersion : Microsoft.Build.Utilities.Task
{
    /// <summary>Folder searched recursively (an output or publish folder, never the NuGet cache).</summary>
    [Microsoft.Build.Framework.Required]
    public string Directory { get; set; } = "";

    /// <summary>auto: only when the host libstdc++ lacks the version; always; never.</summary>
    public string Mode { get; set; } = "auto";

    public string VersionName { get; set; } = ElfVersionWeakener.DefaultVersion;

    public override bool Execute()
    {
        if (string.Equals(Mode, "never", StringComparison.OrdinalIgnoreCase) || !System.IO.Directory.Exists(Directory))
            return true;
        if (string.Equals(Mode, "auto", StringComparison.OrdinalIgnoreCase))
        {
            var host = ElfVersionWeakener.FindHostLibStdCxx();
            if (host != null && ElfVersionWeakener.FileDefinesVersion(host, VersionName))
                return true;
        }
        foreach (var lib in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
        {
            try
            {
                var result = ElfVersionWeakener.Weaken(lib, VersionName);
                if (result == WeakenResult.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"ByolA: marked {VersionName} weak in {lib} (host libstdc++ lacks it)");
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
            {
                Log.LogWarning($"ByolA: could not weaken {VersionName} in {lib}: {e.Message}. TorchSharp may fail to load.");
            }
        }
        return !Log.HasLoggedErrors;
    }
}
#endif

/// <summary>Outcome of <see cref="ElfVersionWeakener.Weaken"/>.</summary>
public enum WeakenResult
{
    /// <summary>The flag was set and the file rewritten.</summary>
    Patched,
    /// <summary>The flag was already set; the file was not touched.</summary>
    AlreadyWeak,
    /// <summary>The file does not ask for that version; not touched.</summary>
    NotReferenced,
}

/// <summary>Sets VER_FLG_WEAK on one version need in the .gnu.version_r section of a 64-bit little-endian ELF file.</summary>
public static class ElfVersionWeakener
{
    public const string DefaultVersion = "GLIBCXX_3.4.32";
    public const ushort VerFlgWeak = 0x2;
    const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>Returns the byte offset of the vna_flags field of every Vernaux entry naming <paramref name="version"/>.</summary>
    public static List<int> FindVernauxFlagOffsets(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        var found = new List<int>();
        for (int s = 0; s < shnum; s++)
        {
            long sh = shoff + (long)s * shentsize;
            Check(elf, sh, 64);
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            long strSh = shoff + (long)link * shentsize;
            Check(elf, strSh, 64);
            long strOff = (long)BitConverter.ToUInt64(elf, (int)strSh + 0x18);
            long need = offset;
            for (int n = 0; n < count; n++)
            {
                Check(elf, need, 16);
                int cnt = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < cnt; a++)
                {
                    Check(elf, aux, 16);
                    uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, strOff + name) == version) found.Add((int)aux + 4);
                    uint next = BitConverter.ToUInt32(elf, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint nextNeed = BitConverter.ToUInt32(elf, (int)need + 12);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        return found;
    }

    /// <summary>Marks <paramref name="version"/> weak in the file at <paramref name="path"/>, atomically and idempotently.</summary>
    public static WeakenResult Weaken(string path, string version = DefaultVersion)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = FindVernauxFlagOffsets(bytes, version);
        if (offsets.Count == 0) return WeakenResult.NotReferenced;
        bool changed = false;
        foreach (var off in offsets)
        {
            ushort flags = BitConverter.ToUInt16(bytes, off);
            if ((flags & VerFlgWeak) != 0) continue;
            flags |= VerFlgWeak;
            bytes[off] = (byte)(flags & 0xff);
            bytes[off + 1] = (byte)(flags >> 8);
            changed = true;
        }
        if (!changed) return WeakenResult.AlreadyWeak;
        // Keep the timestamp so MSBuild's incremental copy sees an unchanged file and leaves the patch alone.
        var stamp = File.GetLastWriteTimeUtc(path);
        var temp = path + ".byola-tmp";
        File.WriteAllBytes(temp, bytes);
        File.SetLastWriteTimeUtc(temp, stamp);
        File.Replace(temp, path, null);
        return WeakenResult.Patched;
    }

    /// <summary>Whether any Vernaux entry for <paramref name="version"/> lacks the weak flag.</summary>
    public static bool NeedsVersionStrongly(string path, string version = DefaultVersion)
    {
        var bytes = File.ReadAllBytes(path);
        foreach (var off in FindVernauxFlagOffsets(bytes, version))
            if ((BitConverter.ToUInt16(bytes, off) & VerFlgWeak) == 0) return true;
        return false;
    }

    /// <summary>Whether a shared library's string tables contain the NUL-delimited version name (i.e. it defines it).</summary>
    public static bool FileDefinesVersion(string path, string version)
    {
        var needle = Encoding.ASCII.GetBytes("\0" + version + "\0");
        var data = File.ReadAllBytes(path);
        return IndexOf(data, needle) >= 0;
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would most likely pick, or null.</summary>
    public static string? FindHostLibStdCxx()
    {
        var dirs = new List<string>();
        var ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld.Split(':'));
        dirs.AddRange(new[]
        {
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        });
        foreach (var d in dirs)
        {
            if (string.IsNullOrEmpty(d)) continue;
            var p = Path.Combine(d, "libstdc++.so.6");
            if (File.Exists(p)) return p;
        }
        return null;
    }

    static void Check(byte[] elf, long at, int len)
    {
        if (at < 0 || at + len > elf.Length) throw new InvalidDataException("truncated or malformed ELF file");
    }

    static string ReadCString(byte[] data, long at)
    {
        if (at < 0 || at >= data.Length) throw new InvalidDataException("string offset out of range");
        int end = (int)at;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, (int)at, end - (int)at);
    }

    static int IndexOf(byte[] hay, byte[] needle)
    {
        for (int i = 0; i <= hay.Length - needle.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && hay[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}
