using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Runtime;

/// <summary>
/// Float precision of a run (<see cref="NumericPrecision"/>). libtorch's CUDA defaults mix them (cuDNN convs in TF32,
/// about 1e-3 relative; matmuls in full FP32), which breaks CPU parity without giving the speed, so every run sets
/// both explicitly: FP32 by default, TF32 for both when asked. bf16 leaves TF32 off (what autocast keeps in FP32
/// stays FP32) and is applied per thread by <see cref="Autocast"/> regions around the model; here it is only checked
/// that this libtorch can do it. On the CPU TF32 does not exist and such runs are FP32.
/// </summary>
internal static class Precision
{
    /// <summary>
    /// Applies the setting for work on <paramref name="device"/>; returns what the run uses: "fp32", "tf32" or "bf16".
    /// Throws <see cref="ByolAException"/> naming the missing symbol when bf16 is asked of a libtorch without autocast.
    /// </summary>
    public static string Apply(Device device, NumericPrecision precision)
    {
        if (precision == NumericPrecision.Bf16) LibTorchNative.RequireAutocast();
        if (device.type == DeviceType.CUDA)
        {
            bool tf32 = precision == NumericPrecision.Tf32;
            backends.cuda.matmul.allow_tf32 = tf32;
            backends.cudnn.allow_tf32 = tf32;
        }
        return Effective(device, precision) switch { NumericPrecision.Tf32 => "tf32", NumericPrecision.Bf16 => "bf16", _ => "fp32" };
    }

    /// <summary>What a run on <paramref name="device"/> computes in: TF32 is CUDA's, elsewhere it is FP32.</summary>
    public static NumericPrecision Effective(Device device, NumericPrecision precision) =>
        precision == NumericPrecision.Tf32 && device.type != DeviceType.CUDA ? NumericPrecision.Fp32 : precision;

    /// <summary>
    /// What results computed on <paramref name="device"/> depend on, as recorded in logs and cache keys:
    /// device kind and precision, e.g. "cpu-fp32", "cuda-tf32", "cpu-bf16" (the device index does not change numerics).
    /// </summary>
    public static string Describe(Device device, NumericPrecision precision) =>
        (device.type == DeviceType.CUDA ? "cuda-" : "cpu-") + Name(Effective(device, precision));

    /// <summary>The lower-case name used in configs, logs and checkpoints: fp32, tf32, bf16.</summary>
    public static string Name(NumericPrecision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>The precision of an old boolean TF32 switch.</summary>
    public static NumericPrecision FromTf32(bool tf32) => tf32 ? NumericPrecision.Tf32 : NumericPrecision.Fp32;

    /// <summary>
    /// The precision a run asks for: <paramref name="configured"/> (the config's precision key or an options record's),
    /// or TF32 when the older TF32 switch is on; the switch with bf16 is refused (an <see cref="OptionException"/>
    /// naming <paramref name="tf32Name"/> and <paramref name="precisionName"/>).
    /// </summary>
    public static NumericPrecision Resolve(NumericPrecision configured, bool tf32, string tf32Name, string precisionName)
    {
        if (!tf32) return configured;
        if (configured == NumericPrecision.Bf16)
            throw new OptionException("{0} asks for tf32 but {1} is bf16; ask for one precision", tf32Name, precisionName);
        return NumericPrecision.Tf32;
    }
}
