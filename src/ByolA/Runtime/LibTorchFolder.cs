using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace ByolA.Runtime;

/// <summary>
/// Loads libtorch from a folder the user names instead of the NuGet libtorch packages — for builds made with
/// <c>-p:TorchBackend=external</c>, which carry TorchSharp's binding (libLibTorchSharp.so) but no libtorch, pointed
/// at e.g. the <c>lib</c> folder of an installed PyTorch through the <see cref="EnvironmentVariable"/>.
/// <para>
/// The folder's libraries are loaded first, globally, so the binding's own dependencies (libtorch.so, libc10.so,
/// libtorch_cpu.so, found by name) resolve to them. The binding is then loaded with every symbol bound at once
/// (RTLD_NOW): a libtorch of another version lacks some of the C++ symbols TorchSharp was compiled against, and
/// that fails here, naming the missing symbol, instead of crashing at the first call that needs it.
/// Linux only (the loader calls are glibc's).
/// </para>
/// </summary>
public static class LibTorchFolder
{
    /// <summary>The environment variable naming the folder.</summary>
    public const string EnvironmentVariable = "BYOLA_LIBTORCH";

    /// <summary>The libtorch version TorchSharp 0.107 is built against (Directory.Packages.props: libtorch-cpu-*).</summary>
    public const string ExpectedVersion = "2.10";

    /// <summary>The binding's file name.</summary>
    public const string BindingName = "libLibTorchSharp.so";

    // Dependency order: each library's NEEDED entries are already loaded when it comes.
    static readonly string[] Required = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    static readonly string[] CudaParts = ["libc10_cuda.so", "libtorch_cuda.so"];

    static bool _loaded;

    /// <summary>Loads the folder named by <see cref="EnvironmentVariable"/>, if set; true when it did (or had).</summary>
    public static bool LoadFromEnvironment()
    {
        var dir = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(dir)) return false;
        if (_loaded) return true;
        Load(dir, FindBinding());
        _loaded = true;
        return true;
    }

    /// <summary>
    /// Loads libtorch from <paramref name="folder"/> and then the binding at <paramref name="bindingPath"/>; throws
    /// <see cref="ByolAException"/> with the reason (not a libtorch folder, or a version that does not match).
    /// </summary>
    public static void Load(string folder, string bindingPath)
    {
        if (!OperatingSystem.IsLinux())
            throw new ByolAException($"{EnvironmentVariable} is supported on Linux only; use a build with -p:TorchBackend=cpu or cuda");
        var dir = Path.GetFullPath(folder);
        if (!Directory.Exists(dir)) throw new ByolAException($"{dir} ({EnvironmentVariable}): folder not found. {Hint}");
        var missing = Required.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
            throw new ByolAException($"{dir} ({EnvironmentVariable}): not a libtorch folder (no {string.Join(", ", missing)}). {Hint}");
        var cuda = CudaParts.Where(f => File.Exists(Path.Combine(dir, f)));
        foreach (var lib in Required.Take(2).Concat(cuda).Append(Required[2]))
        {
            var error = Open(Path.Combine(dir, lib), dir);
            if (error != null) throw new ByolAException($"{dir} ({EnvironmentVariable}): {lib} cannot be loaded: {error}");
        }
        if (!File.Exists(bindingPath)) throw new ByolAException($"{bindingPath}: TorchSharp's binding is missing from this build; rebuild or republish byola");
        var bindingError = Open(bindingPath, dir);
        if (bindingError != null) throw new ByolAException(MismatchMessage(dir, bindingError, FolderVersion(dir)));
    }

    /// <summary>
    /// The message for a binding that does not load against <paramref name="folder"/>'s libtorch:
    /// <paramref name="loaderError"/> is the loader's text (e.g. "…: undefined symbol: _ZN…").
    /// </summary>
    public static string MismatchMessage(string folder, string loaderError, string? folderVersion)
    {
        var symbol = Regex.Match(loaderError, @"undefined symbol: (\S+)");
        var what = symbol.Success
            ? $"TorchSharp's {BindingName} needs {symbol.Groups[1].Value}, which that libtorch does not define"
            : $"TorchSharp's {BindingName} does not load against it ({loaderError.Trim()})";
        var version = folderVersion != null ? $"libtorch {folderVersion}" : "its libtorch";
        return $"{folder} ({EnvironmentVariable}): {version} does not match TorchSharp 0.107, which needs libtorch {ExpectedVersion}.x: {what}. " +
               $"Point {EnvironmentVariable} at the lib folder of a PyTorch {ExpectedVersion} install, or build LibTorchSharp against this " +
               "libtorch with TorchSharp's CMake (bench/gpu-check.sh can), or use a build that brings its own libtorch " +
               "(-p:TorchBackend=cpu or -p:TorchBackend=cuda).";
    }

    /// <summary>The PyTorch version a lib folder belongs to (torch/version.py or libtorch's build-version), if found.</summary>
    public static string? FolderVersion(string folder)
    {
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        if (parent == null) return null;
        var versionPy = Path.Combine(parent, "version.py");
        if (File.Exists(versionPy))
        {
            var m = Regex.Match(File.ReadAllText(versionPy), @"__version__\s*=\s*['""]([^'""]+)['""]");
            if (m.Success) return m.Groups[1].Value;
        }
        var buildVersion = Path.Combine(parent, "build-version");
        return File.Exists(buildVersion) ? File.ReadAllText(buildVersion).Trim() : null;
    }

    const string Hint = "Set it to the lib folder of a PyTorch " + ExpectedVersion + " install " +
                        "(python3 -c \"import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\").";

    /// <summary>libLibTorchSharp.so of this application (next to it, or below runtimes/ in a framework-dependent build).</summary>
    static string FindBinding()
    {
        var baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, BindingName),
            Path.Combine(baseDir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", BindingName),
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", BindingName),
        ];
        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }

    /// <summary>
    /// dlopen(path, RTLD_NOW | RTLD_GLOBAL); null on success, else the loader's reason: dlerror()'s text, or when the
    /// runtime has already taken that (thread-local) text, the first undefined symbol <c>ldd -r</c> finds against
    /// <paramref name="folder"/> — the name README promises, instead of "unknown loader error".
    /// </summary>
    static string? Open(string path, string folder)
    {
        const int RtldNow = 2, RtldGlobal = 0x100;
        // Bind both imports before the call that matters: resolving dlerror lazily afterwards would itself go through
        // the loader and clear the error text.
        dlerror();
        var handle = dlopen(path, RtldNow | RtldGlobal);
        if (handle != IntPtr.Zero) return null;
        var error = dlerror();
        if (error != IntPtr.Zero) return Marshal.PtrToStringUTF8(error);
        return UndefinedSymbol(path, folder) ?? "the loader gave no reason";
    }

    /// <summary>"PATH: undefined symbol: NAME" for the first symbol of <paramref name="path"/> that <c>ldd -r</c> cannot resolve with <paramref name="folder"/> on the library path; null when it finds none or cannot run.</summary>
    internal static string? UndefinedSymbol(string path, string folder)
    {
        try
        {
            var start = new System.Diagnostics.ProcessStartInfo("ldd", ["-r", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.Environment["LD_LIBRARY_PATH"] = folder;
            using var ldd = System.Diagnostics.Process.Start(start)!;
            var err = ldd.StandardError.ReadToEndAsync();
            var text = ldd.StandardOutput.ReadToEnd() + err.Result;
            if (!ldd.WaitForExit(30_000)) { ldd.Kill(); return null; }
            var m = Regex.Match(text, @"undefined symbol: (\S+)");
            return m.Success ? $"{path}: undefined symbol: {m.Groups[1].Value}" : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException) { return null; }   // no ldd
    }

    // libdl.so.2 exists on every glibc (since 2.34 a stub forwarding to libc), unlike dlopen in libc.so.6.
    [DllImport("libdl.so.2", CharSet = CharSet.Ansi)]
    static extern IntPtr dlopen(string file, int mode);

    [DllImport("libdl.so.2")]
    static extern IntPtr dlerror();
}
