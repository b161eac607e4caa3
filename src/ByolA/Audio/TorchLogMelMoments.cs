using ByolA.Audio;
using ByolA.Configuration;
using ByolA.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ByolA.Audio;

/// <summary>
/// <see cref="ILogMelMoments"/> with TorchSharp's front end on a torch device: sums in float64 on the device
/// (<see cref="LogMelMoments"/>), read back once at the end. Needs no encoder, so stats of a folder can be computed
/// before any weights exist.
/// </summary>
internal sealed class TorchLogMelMoments(ByolAConfig config, Device? device = null) : ILogMelMoments
{
    readonly Device device = device ?? CPU;
    readonly LogMelSpectrogram logMel = Init(new LogMelSpectrogram(config.FrontEnd), device ?? CPU);
    readonly LogMelMoments moments = new();

    static LogMelSpectrogram Init(LogMelSpectrogram m, Device d)
    {
        m.to(d);
        return m;
    }

    public void Add(float[] clips, int count, int samples)
    {
        if (count == 0) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        moments.Add(logMel.forward(ClipBatch.ClipTensor(clips, count, samples).to(device)));
    }

    public long Count => moments.Count;
    public double Mean => moments.Mean;
    public double Std => moments.Std;

    public void Dispose()
    {
        moments.Dispose();
        logMel.Dispose();
    }
}
