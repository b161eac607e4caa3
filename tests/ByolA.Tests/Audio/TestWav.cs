using System.Buffers.Binary;

namespace ByolA.Tests.Audio;

/// <summary>Builds WAV files byte by byte, so the reader is tested against the format rather than against NAudio's writer.</summary>
static class TestWav
{
    public const ushort Pcm = 1, IeeeFloat = 3, Adpcm = 2, Extensible = 0xFFFE;

    /// <summary>Interleaved samples in [-1, 1] encoded as the given format.</summary>
    public static byte[] Encode(float[][] channels, int bits, bool isFloat)
    {
        int frames = channels[0].Length, c = channels.Length, bytes = bits / 8;
        var data = new byte[frames * c * bytes];
        int o = 0;
        for (int f = 0; f < frames; f++)
            for (int ch = 0; ch < c; ch++, o += bytes)
            {
                double x = channels[ch][f];
                var span = data.AsSpan(o);
                if (isFloat && bits == 32) BinaryPrimitives.WriteSingleLittleEndian(span, (float)x);
                else if (isFloat) BinaryPrimitives.WriteDoubleLittleEndian(span, x);
                else if (bits == 8) data[o] = (byte)(Math.Clamp(Math.Round(x * 128), -128, 127) + 128);
                else if (bits == 16) BinaryPrimitives.WriteInt16LittleEndian(span, (short)Math.Clamp(Math.Round(x * 32768), -32768, 32767));
                else if (bits == 24)
                {
                    int v = (int)Math.Clamp(Math.Round(x * 8388608), -8388608, 8388607);
                    data[o] = (byte)v; data[o + 1] = (byte)(v >> 8); data[o + 2] = (byte)(v >> 16);
                }
                else BinaryPrimitives.WriteInt32LittleEndian(span, (int)Math.Clamp(Math.Round(x * 2147483648.0), int.MinValue, int.MaxValue));
            }
        return data;
    }

    /// <summary>A complete RIFF/WAVE file. <paramref name="extensible"/> wraps the format in WAVE_FORMAT_EXTENSIBLE.</summary>
    public static byte[] File(ushort formatTag, int channels, int sampleRate, int bits, byte[] data, bool extensible = false,
        uint? declaredDataBytes = null, bool listChunkBeforeData = false)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms);
        int blockAlign = channels * bits / 8;
        w.Write("RIFF"u8); w.Write(0u); w.Write("WAVE"u8);
        w.Write("fmt "u8);
        if (extensible)
        {
            w.Write(40u);
            w.Write(Extensible); w.Write((ushort)channels); w.Write(sampleRate); w.Write(sampleRate * blockAlign);
            w.Write((ushort)blockAlign); w.Write((ushort)bits);
            w.Write((ushort)22); w.Write((ushort)bits); w.Write(channels == 2 ? 3u : 0u);
            w.Write(new Guid($"{formatTag:x8}-0000-0010-8000-00aa00389b71").ToByteArray());
        }
        else
        {
            w.Write(16u);
            w.Write(formatTag); w.Write((ushort)channels); w.Write(sampleRate); w.Write(sampleRate * blockAlign);
            w.Write((ushort)blockAlign); w.Write((ushort)bits);
        }
        if (listChunkBeforeData) { w.Write("LIST"u8); w.Write(4u); w.Write("INFO"u8); }
        w.Write("data"u8); w.Write(declaredDataBytes ?? (uint)data.Length); w.Write(data);
        if (data.Length % 2 == 1) w.Write((byte)0);
        w.Flush();
        var bytes = ms.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    /// <summary>A deterministic test signal: per channel a sine of its own frequency, amplitude 0.8.</summary>
    public static float[][] Sines(int channels, int frames, int sampleRate, double baseHz = 440)
    {
        var result = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            result[c] = new float[frames];
            double hz = baseHz * (c + 1);
            for (int i = 0; i < frames; i++) result[c][i] = (float)(0.8 * Math.Sin(2 * Math.PI * hz * i / sampleRate));
        }
        return result;
    }

    /// <summary>Writes a WAV of the given PCM/float format to <paramref name="path"/>.</summary>
    public static void Write(string path, float[][] channels, int sampleRate, int bits, bool isFloat, bool extensible = false)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllBytes(path, File(isFloat ? IeeeFloat : Pcm, channels.Length, sampleRate, bits,
            Encode(channels, bits, isFloat), extensible));
    }
}
