using static TorchSharp.torch;

namespace ByolA.Tests.Support;

/// <summary>
/// Puts libtorch's thread count back when disposed, after optionally setting it. The count is OpenMP's, per calling
/// thread, so a test that sets it (or runs a verb with <c>--threads</c>) would otherwise leave it to the next test
/// xunit runs on the same thread.
/// </summary>
public sealed class TorchThreads : IDisposable
{
    readonly int before = get_num_threads();

    /// <summary>Keeps the current count; with <paramref name="count"/>, runs on that many until disposed.</summary>
    public TorchThreads(int? count = null)
    {
        if (count is { } n) set_num_threads(n);
    }

    public void Dispose() => set_num_threads(before);
}
