// Embeds a WAV file with a BYOL-A model exported by `byola export WEIGHTS model.onnx --frontend --stats MEAN,STD`,
// using nothing but ONNX Runtime. Usage: OnnxEmbed model.onnx clip.wav  → one line of comma-separated floats.
using System.Globalization;
using Microsoft.ML.OnnxRuntime;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: OnnxEmbed MODEL.onnx FILE.wav");
    return 2;
}
using var session = new InferenceSession(args[0]);
var meta = session.ModelMetadata.CustomMetadataMap;
if (meta.GetValueOrDefault("frontend") != "true")
{
    Console.Error.WriteLine($"{args[0]}: exported without --frontend; its input is log-mel, not waveform");
    return 1;
}
float[] samples = ReadMonoPcm16(args[1], int.Parse(meta["sample_rate"], CultureInfo.InvariantCulture));

// Input "waveform" (batch, samples); output "embedding" (batch, d) — any length of at least ~0.1 s.
using var input = OrtValue.CreateTensorValueFromMemory(samples, [1, samples.Length]);
using var outputs = session.Run(new RunOptions(), ["waveform"], [input], ["embedding"]);
var embedding = outputs[0].GetTensorDataAsSpan<float>().ToArray();
Console.WriteLine(string.Join(",", embedding.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
return 0;

// Mono 16-bit PCM WAV at the model's sample rate, scaled to [-1, 1) (sample / 32768).
static float[] ReadMonoPcm16(string path, int sampleRate)
{
    using var reader = new BinaryReader(File.OpenRead(path));
    if (new string(reader.ReadChars(4)) != "RIFF" || reader.ReadInt32() < 0 || new string(reader.ReadChars(4)) != "WAVE")
        throw new InvalidDataException($"{path}: not a WAV file");
    bool formatOk = false;
    while (reader.BaseStream.Position + 8 <= reader.BaseStream.Length)
    {
        string id = new(reader.ReadChars(4));
        int size = reader.ReadInt32();
        if (id == "fmt ")
        {
            var (format, channels, rate) = (reader.ReadInt16(), reader.ReadInt16(), reader.ReadInt32());
            reader.ReadBytes(6);
            short bits = reader.ReadInt16();
            reader.ReadBytes(size - 16);
            formatOk = format == 1 && channels == 1 && rate == sampleRate && bits == 16;
            if (!formatOk) throw new InvalidDataException($"{path}: need mono 16-bit PCM at {sampleRate} Hz (got format {format}, {channels} ch, {rate} Hz, {bits} bit)");
        }
        else if (id == "data" && formatOk)
        {
            var bytes = reader.ReadBytes(size);
            var result = new float[bytes.Length / 2];
            for (int i = 0; i < result.Length; i++) result[i] = BitConverter.ToInt16(bytes, 2 * i) / 32768f;
            return result;
        }
        else reader.ReadBytes(size + (size & 1));
    }
    throw new InvalidDataException($"{path}: no fmt/data chunk");
}
