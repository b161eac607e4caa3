using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Augmentations;

/// <summary>
/// The per-batch parameters the augmentations draw on the host (Mixup picks and ratios, crop boxes, fader gains),
/// packed into one float64 buffer that reaches the device in a single copy.
/// <para>
/// Why: <c>tensor(array, device: cuda)</c> builds on the CPU and copies with a blocking <c>.to(cuda)</c>, so one
/// such call per parameter array made the host wait for the GPU a dozen times per step. Drawing on the host keeps
/// the CPU streams (and so the golden parity and exact resume) unchanged; packing makes the transfer one pinned,
/// non-blocking copy. Every value is an integer below 2⁵³ or a float32, so float64 holds it exactly.
/// </para>
/// </summary>
internal sealed class PackedParameters
{
    readonly List<double> _values = [];

    /// <summary>Appends values; returns the segment that holds them.</summary>
    public Segment Add(IEnumerable<double> values)
    {
        int offset = _values.Count;
        _values.AddRange(values);
        return new Segment(offset, _values.Count - offset);
    }

    public Segment Add(IEnumerable<float> values) => Add(values.Select(v => (double)v));

    public Segment Add(IEnumerable<long> values) => Add(values.Select(v => (double)v));

    public Segment Add(IEnumerable<int> values) => Add(values.Select(v => (double)v));

    public Segment Add(IEnumerable<bool> values) => Add(values.Select(v => v ? 1.0 : 0.0));

    /// <summary>
    /// The buffer on <paramref name="device"/>, (N,) float64: on the CPU the host tensor itself; on CUDA one
    /// non-blocking copy from pinned memory (libtorch's pinned allocator keeps the block until the copy has run).
    /// </summary>
    public Tensor Upload(Device device)
    {
        var host = tensor(_values.ToArray(), ScalarType.Float64);
        if (device.type == DeviceType.CPU) return host;
        using (host)
        using (var pinned = host.pin_memory())
            return pinned.to(device, non_blocking: true);
    }

    /// <summary>A run of values in the buffer.</summary>
    public readonly record struct Segment(int Offset, int Length)
    {
        /// <summary>This segment of an uploaded buffer as a (Length,) tensor of <paramref name="type"/>.</summary>
        public Tensor Of(Tensor uploaded, ScalarType type) => uploaded.narrow(0, Offset, Length).to_type(type);
    }
}
