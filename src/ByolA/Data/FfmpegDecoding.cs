using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ByolA.Data;

/// <summary>
/// Every format without a decoder of our own (AAC/M4A, WebM, Matroska, AIFF, WMA, video containers) through an
/// installed <c>ffmpeg</c> found on PATH: its first audio stream is decoded to 32-bit float WAV on a pipe and read as it
/// arrives, channels and rate as they are (resampling is ours, as for every format). Without ffmpeg the file's format and
/// the install command are one line.
/// </summary>
internal static class FfmpegDecoding
{
    /// <summary>The ffmpeg executable on PATH, or null.</summary>
    public static string? Find()
    {
        var name = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "ffmpeg.exe" : "ffmpeg";
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The one line for a file only ffmpeg could read when it is not installed.</summary>
    public static ByolAException Missing(string path, AudioFormatInfo format)
    {
        string install = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "winget install ffmpeg"
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "brew install ffmpeg" : "sudo apt-get install ffmpeg";
        return new ByolAException($"{path}: {format.Name} audio, which needs ffmpeg (not found on PATH); install it (`{install}`) " +
                                  "or convert the file to WAV, FLAC, MP3, Ogg Vorbis or Opus");
    }

    /// <summary>Decodes <paramref name="path"/> with <paramref name="ffmpeg"/>, or throws <see cref="Missing"/> when it is null.</summary>
    public static AudioData Decode(string path, AudioFormatInfo format, string? ffmpeg)
    {
        if (ffmpeg == null) throw Missing(path, format);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // "file:" keeps a name with a colon from being taken for a protocol; -map takes the first audio stream only.
        foreach (var a in new[] { "-nostdin", "-hide_banner", "-loglevel", "error", "-i", "file:" + Path.GetFullPath(path),
                     "-map", "0:a:0", "-vn", "-f", "wav", "-acodec", "pcm_f32le", "-" })
            start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start) ?? throw new ByolAException($"{path}: could not start {ffmpeg}"); }
        catch (System.ComponentModel.Win32Exception e) { throw new ByolAException($"{path}: could not start {ffmpeg} ({e.Message.TrimEnd('.')})", e); }
        using (process)
        {
            process.StandardInput.Close();
            // Drained at the same time as the samples, so a chatty ffmpeg never blocks on a full pipe.
            var errors = process.StandardError.ReadToEndAsync();
            AudioData? audio = null;
            string? parseError = null;
            try { audio = ReadWav(process.StandardOutput.BaseStream); }
            catch (InvalidDataException e) { parseError = e.Message; }
            finally
            {
                // Whatever is left (after a parse error) is read and dropped, so ffmpeg can finish writing and exit.
                try { process.StandardOutput.BaseStream.CopyTo(Stream.Null); } catch (IOException) { }
            }
            process.WaitForExit();
            var stderr = errors.GetAwaiter().GetResult();
            if (process.ExitCode != 0 || audio == null)
            {
                var reason = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? parseError ?? $"exit code {process.ExitCode}";
                if (reason.Contains("matches no streams", StringComparison.Ordinal)) reason = "no audio stream";
                // "[matroska,webm @ 0x55…] reason": the component and its address say nothing to a user.
                reason = System.Text.RegularExpressions.Regex.Replace(reason, @"^\[[^\]]* @ 0x[0-9a-f]+\]\s*", "");
                throw new ByolAException($"{path}: not a readable {format.Name} file (ffmpeg: {reason.Replace("file:" + Path.GetFullPath(path), "the file")})");
            }
            return audio;
        }
    }

    /// <summary>Float32 WAV as ffmpeg writes it to a pipe (sizes may be placeholders): chunks up to "data", then samples to the end.</summary>
    static AudioData ReadWav(Stream stream)
    {
        Span<byte> header = stackalloc byte[12];
        if (!Fill(stream, header)) throw new InvalidDataException("no output");
        if (!header.StartsWith("RIFF"u8) || !header[8..].SequenceEqual("WAVE"u8)) throw new InvalidDataException("output is not WAV");
        int channels = 0, rate = 0, bits = 0;
        Span<byte> chunk = stackalloc byte[8];
        while (true)
        {
            if (!Fill(stream, chunk)) throw new InvalidDataException("output has no data chunk");
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk.StartsWith("data"u8)) break;
            var body = new byte[size + (size & 1)];
            if (!Fill(stream, body)) throw new InvalidDataException("output header cut off");
            if (chunk.StartsWith("fmt "u8) && size >= 16)
            {
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body.AsSpan(14));
            }
        }
        if (channels <= 0 || rate <= 0 || bits != 32) throw new InvalidDataException($"unexpected output format ({channels} channels, {rate} Hz, {bits}-bit)");
        var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        int frames = (int)Math.Min(Array.MaxLength, bytes.Length / (4L * channels));
        var samples = MemoryMarshal.Cast<byte, float>(bytes.GetBuffer().AsSpan(0, frames * 4 * channels));
        var result = new float[channels][];
        for (int c = 0; c < channels; c++)
        {
            var channel = result[c] = new float[frames];
            for (int i = 0, k = c; i < frames; i++, k += channels) channel[i] = samples[k];
        }
        return new AudioData(result, rate);
    }

    static bool Fill(Stream stream, Span<byte> buffer)
    {
        try { stream.ReadExactly(buffer); return true; }
        catch (EndOfStreamException) { return false; }
    }
}
