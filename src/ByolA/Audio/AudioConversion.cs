using ByolA.Data;

namespace ByolA.Audio;

/// <summary>
/// How decoded audio that is not already mono at the model's rate becomes so when read directly (train, embed,
/// evaluate, <c>ByolAModel.EmbedFile</c>): exactly the samples <c>convert-wav</c> would write for it, read back — the
/// channel mean, resampled by <see cref="PolyphaseResampler"/>, rounded to 16 bits — so training on a folder of MP3s
/// gives the same clips as training on convert-wav's output of it. Audio already mono at the rate is used as decoded,
/// as a WAV file is, so a FLAC gives the same samples as the WAV it was made from.
/// </summary>
internal static class AudioConversion
{
    /// <summary>(N) mono samples of <paramref name="audio"/> at <paramref name="sampleRate"/> (see the class summary).</summary>
    public static float[] ToMono(AudioData audio, int sampleRate)
    {
        if (audio.Channels.Length == 1 && audio.SampleRate == sampleRate) return audio.Channels[0];
        var pcm = WavConverter.ConvertAudio(audio, sampleRate);
        var samples = new float[pcm.Length];
        // As WavFile reads the 16-bit file convert-wav writes: each value over 32768.
        for (int i = 0; i < pcm.Length; i++) samples[i] = pcm[i] / 32768f;
        return samples;
    }
}
