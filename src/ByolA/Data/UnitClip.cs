using ByolA.Data;
using static TorchSharp.torch;

namespace ByolA.Data;

/// <summary>
/// Fits a clip to the unit length (<c>unit_samples = int(unit_sec · sample_rate)</c>): shorter clips are zero-padded
/// on both ends with <c>pad_left = (unit − len) / 2</c> and the rest on the right; longer clips are cropped at a
/// uniformly random start (or the centre start <c>(len − unit) / 2</c> when no random source is given).
/// </summary>
internal static class UnitClip
{
    /// <summary>(N) → (unitSamples). Returns <paramref name="wav"/> itself when it already has the unit length.</summary>
    public static float[] Fit(float[] wav, int unitSamples, Random? rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitSamples);
        int length = wav.Length;
        if (length == unitSamples) return wav;
        var result = new float[unitSamples];
        if (length < unitSamples)
            Array.Copy(wav, 0, result, (unitSamples - length) / 2, length);
        else
            Array.Copy(wav, CropStart(length, unitSamples, rng), result, 0, unitSamples);
        return result;
    }

    /// <summary>The crop start for a clip of <paramref name="length"/> ≥ unit: uniform in [0, length − unit], or the centre.</summary>
    public static int CropStart(int length, int unitSamples, Random? rng) =>
        rng?.Next(length - unitSamples + 1) ?? (length - unitSamples) / 2;
}
