using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ByolA.Distributed;

/// <summary>
/// The native plumbing the process groups share: opening a library so its plug-ins see its symbols, finding one the
/// process has already loaded, resolving exports once with one line naming a missing one, and the address of a
/// tensor's data (TorchSharp's own <c>THSTensor_data</c>), which the collectives read and write in place.
/// </summary>
internal static class NativeLibraries
{
    const int RtldNow = 2, RtldGlobal = 0x100;

    [DllImport("libc", EntryPoint = "dlopen")] static extern IntPtr DlOpen(string file, int mode);
    [DllImport("libc", EntryPoint = "setenv")] static extern int SetEnv(string name, string value, int overwrite);
    [DllImport("libc", EntryPoint = "getenv")] static extern IntPtr GetEnv(string name);

    /// <summary>
    /// Opens the first of <paramref name="names"/> that loads, with its symbols global (Open MPI's components, loaded
    /// by libmpi later, link against libmpi's symbols); throws one line naming every name tried and what needs it.
    /// </summary>
    public static IntPtr OpenGlobal(string purpose, params string[] names)
    {
        foreach (var name in names)
        {
            var handle = DlOpen(name, RtldNow | RtldGlobal);
            if (handle != IntPtr.Zero) return handle;
        }
        throw new ByolAException($"{purpose} needs {string.Join(" or ", names)}, which could not be loaded (not installed, or not on the library path)");
    }

    /// <summary>The path of a library this process has already loaded whose file name starts with <paramref name="prefix"/>, or null.</summary>
    public static string? Loaded(string prefix)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                if (Path.GetFileName(path).StartsWith(prefix, StringComparison.Ordinal)) return path;
            }
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>A function export as a delegate; throws one line naming the library and the symbol when it is missing.</summary>
    public static T Function<T>(IntPtr handle, string library, string symbol) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(Address(handle, library, symbol));

    /// <summary>The address of an export (a function, or a global such as Open MPI's <c>ompi_mpi_comm_world</c>).</summary>
    public static IntPtr Address(IntPtr handle, string library, string symbol) =>
        NativeLibrary.TryGetExport(handle, symbol, out var address) ? address
            : throw new ByolAException($"{library} does not define {symbol}; it is not the library this build expects");

    /// <summary>
    /// Sets a variable in the native environment (which the process's native libraries read; .NET's
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach it), unless it is already set.
    /// </summary>
    public static void SetIfUnset(string name, string value)
    {
        if (GetEnv(name) == IntPtr.Zero) SetEnv(name, value, 0);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate IntPtr DataFn(IntPtr tensor);

    static readonly Lazy<DataFn> data = new(() =>
    {
        using (zeros(1)) { }   // loads TorchSharp's binding if nothing has yet
        const string name = "libLibTorchSharp.so";
        if (!NativeLibrary.TryLoad(name, out var handle)) throw new ByolAException($"{name} (TorchSharp's binding) could not be opened");
        return Function<DataFn>(handle, name, "THSTensor_data");
    });

    /// <summary>The address of the first element of a contiguous tensor, on whatever device it lives.</summary>
    public static IntPtr DataAddress(Tensor t)
    {
        if (!t.is_contiguous()) throw new ArgumentException("collectives work on contiguous tensors", nameof(t));
        var address = data.Value(t.Handle);
        return address != IntPtr.Zero || t.numel() == 0 ? address : throw new ByolAException("could not read a tensor's data address");
    }
}
