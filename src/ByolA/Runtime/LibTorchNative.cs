using System.Runtime.InteropServices;

namespace ByolA.Runtime;

/// <summary>
/// The only calls into libtorch's C++ API that bypass TorchSharp: autocast (mixed precision) and cuDNN's autotuner,
/// which TorchSharp 0.107 does not expose (dotnet/TorchSharp PR #1235 is unmerged). The functions are found by their
/// mangled names in the libtorch_cpu already loaded by TorchSharp (by its soname, so a libtorch from
/// <see cref="LibTorchFolder"/> is the one used, never a second copy), once per process; a libtorch without one of
/// them gives one line naming the symbol and what needs it.
/// <para>
/// libtorch keeps autocast's switch, its dtype and its cache of cast weights per thread: <see cref="Autocast"/> is the
/// region that sets and restores them on the calling thread.
/// </para>
/// </summary>
internal static class LibTorchNative
{
    const string Library = "libtorch_cpu.so";

    // c10::DeviceType and c10::ScalarType are int8_t enums; C++ bool is one byte.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void SetEnabledFn(sbyte deviceType, [MarshalAs(UnmanagedType.U1)] bool enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] [return: MarshalAs(UnmanagedType.U1)] delegate bool IsEnabledFn(sbyte deviceType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void SetDtypeFn(sbyte deviceType, sbyte scalarType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate sbyte GetDtypeFn(sbyte deviceType);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void VoidFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int IntFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate IntPtr PointerFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void ContextSetBoolFn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] [return: MarshalAs(UnmanagedType.U1)] delegate bool ContextGetBoolFn(IntPtr context);

    /// <summary>The autocast functions: at::autocast::… in libtorch 2.x.</summary>
    sealed record AutocastFunctions(SetEnabledFn SetEnabled, IsEnabledFn IsEnabled, SetDtypeFn SetDtype, GetDtypeFn GetDtype,
        IntFn IncrementNesting, IntFn DecrementNesting, VoidFn ClearCache);

    /// <summary>at::globalContext() and its cuDNN benchmark setting.</summary>
    sealed record CudnnFunctions(PointerFn GlobalContext, ContextSetBoolFn SetBenchmark, ContextGetBoolFn Benchmark);

    public const string SetAutocastEnabledSymbol = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb";
    public const string IsAutocastEnabledSymbol = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE";
    public const string SetAutocastDtypeSymbol = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE";
    public const string GetAutocastDtypeSymbol = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE";
    public const string IncrementNestingSymbol = "_ZN2at8autocast17increment_nestingEv";
    public const string DecrementNestingSymbol = "_ZN2at8autocast17decrement_nestingEv";
    public const string ClearCacheSymbol = "_ZN2at8autocast11clear_cacheEv";
    public const string GlobalContextSymbol = "_ZN2at13globalContextEv";
    public const string SetBenchmarkCuDNNSymbol = "_ZN2at7Context17setBenchmarkCuDNNEb";
    public const string BenchmarkCuDNNSymbol = "_ZNK2at7Context14benchmarkCuDNNEv";

    static readonly Lazy<(AutocastFunctions? Functions, string? Missing)> autocast = new(() =>
    {
        var (handle, error) = Open();
        if (handle == IntPtr.Zero) return (null, error);
        if (FirstMissing(handle, SetAutocastEnabledSymbol, IsAutocastEnabledSymbol, SetAutocastDtypeSymbol, GetAutocastDtypeSymbol,
                IncrementNestingSymbol, DecrementNestingSymbol, ClearCacheSymbol) is { } missing)
            return (null, $"{Library} does not define {missing}");
        return (new AutocastFunctions(Get<SetEnabledFn>(handle, SetAutocastEnabledSymbol), Get<IsEnabledFn>(handle, IsAutocastEnabledSymbol),
            Get<SetDtypeFn>(handle, SetAutocastDtypeSymbol), Get<GetDtypeFn>(handle, GetAutocastDtypeSymbol), Get<IntFn>(handle, IncrementNestingSymbol),
            Get<IntFn>(handle, DecrementNestingSymbol), Get<VoidFn>(handle, ClearCacheSymbol)), null);
    });

    static readonly Lazy<(CudnnFunctions? Functions, string? Missing)> cudnn = new(() =>
    {
        var (handle, error) = Open();
        if (handle == IntPtr.Zero) return (null, error);
        if (FirstMissing(handle, GlobalContextSymbol, SetBenchmarkCuDNNSymbol, BenchmarkCuDNNSymbol) is { } missing)
            return (null, $"{Library} does not define {missing}");
        return (new CudnnFunctions(Get<PointerFn>(handle, GlobalContextSymbol), Get<ContextSetBoolFn>(handle, SetBenchmarkCuDNNSymbol),
            Get<ContextGetBoolFn>(handle, BenchmarkCuDNNSymbol)), null);
    });

    /// <summary>The first of <paramref name="symbols"/> the library at <paramref name="handle"/> does not export, or null.</summary>
    internal static string? FirstMissing(IntPtr handle, params string[] symbols) =>
        symbols.FirstOrDefault(s => !NativeLibrary.TryGetExport(handle, s, out _));

    static T Get<T>(IntPtr handle, string symbol) where T : Delegate =>
        Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, symbol));

    /// <summary>The one line for a libtorch that cannot autocast; <paramref name="problem"/> names the missing symbol.</summary>
    internal static string AutocastMessage(string problem) =>
        $"bf16 precision needs libtorch's autocast, but {problem}; use precision fp32 (or a libtorch {LibTorchFolder.ExpectedVersion})";

    /// <summary>
    /// The libtorch_cpu TorchSharp loaded. Making a tensor first loads TorchSharp's binding (and through it libtorch)
    /// if nothing has yet; the name without a folder then matches the loaded library's soname.
    /// </summary>
    static (IntPtr Handle, string? Error) Open()
    {
        using (TorchSharp.torch.zeros(1)) { }
        return NativeLibrary.TryLoad(Library, out var handle) ? (handle, null) : (IntPtr.Zero, $"{Library} could not be opened");
    }

    /// <summary>Null when this libtorch has autocast's functions, else why not (the symbol it lacks).</summary>
    public static string? AutocastProblem => autocast.Value.Missing;

    /// <summary>Null when this libtorch has the cuDNN benchmark switch, else why not.</summary>
    public static string? CudnnBenchmarkProblem => cudnn.Value.Missing;

    static AutocastFunctions Autocast =>
        autocast.Value.Functions ?? throw new ByolAException(AutocastMessage(autocast.Value.Missing ?? Library));

    static CudnnFunctions Cudnn =>
        cudnn.Value.Functions ?? throw new ByolAException($"cuDNN autotuning needs at::Context::setBenchmarkCuDNN, but {cudnn.Value.Missing}; turn cuDNN benchmarking off");

    /// <summary>Throws <see cref="ByolAException"/> naming the missing symbol when autocast cannot be used.</summary>
    public static void RequireAutocast() => _ = Autocast;

    public static void SetAutocastEnabled(TorchSharp.DeviceType device, bool enabled) => Autocast.SetEnabled((sbyte)device, enabled);
    public static bool IsAutocastEnabled(TorchSharp.DeviceType device) => Autocast.IsEnabled((sbyte)device);
    public static void SetAutocastDtype(TorchSharp.DeviceType device, TorchSharp.torch.ScalarType dtype) => Autocast.SetDtype((sbyte)device, (sbyte)dtype);
    public static TorchSharp.torch.ScalarType GetAutocastDtype(TorchSharp.DeviceType device) => (TorchSharp.torch.ScalarType)Autocast.GetDtype((sbyte)device);
    public static int IncrementAutocastNesting() => Autocast.IncrementNesting();
    public static int DecrementAutocastNesting() => Autocast.DecrementNesting();

    /// <summary>Drops this thread's cached low-precision copies of weights (they go stale once the optimizer steps).</summary>
    public static void ClearAutocastCache() => Autocast.ClearCache();

    /// <summary>
    /// cuDNN's autotuner (torch.backends.cudnn.benchmark): on, each new convolution shape is timed over cuDNN's
    /// algorithms once and the fastest kept — whose choice may differ between runs.
    /// </summary>
    public static bool CudnnBenchmark
    {
        get => Cudnn.Benchmark(Cudnn.GlobalContext());
        set => Cudnn.SetBenchmark(Cudnn.GlobalContext(), value);
    }
}
