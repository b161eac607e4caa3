using System.Globalization;
using ByolA.Configuration;

namespace ByolA.Onnx;

/// <summary>
/// What an exported model is, as stored in its ONNX metadata (<c>metadata_props</c>, all values text): the encoder
/// kind, widths, whether it has the front end, the normalisation stats, the log-mel parameters and the SHA-256 of
/// the weights it came from. Applications read the same keys (see README "Deploy").
/// </summary>
public sealed record OnnxModelInfo
{
    /// <summary>Input name without the front end: normalised log-mel (B, 1, F, T).</summary>
    public const string LogMelInput = "lms";

    /// <summary>Input name with the front end: mono waveform (B, samples) at <see cref="SampleRate"/>.</summary>
    public const string WaveformInput = "waveform";

    /// <summary>Output name of the pooled embedding (B, d).</summary>
    public const string EmbeddingOutput = "embedding";

    /// <summary>Output name of the frame features (B, T', d), present when exported with frames.</summary>
    public const string FramesOutput = "frames";

    /// <summary>A <see cref="ByolA.ModelKind"/> name: AudioNTT2020, AudioNTT2020X (layered or not) or AudioNTT2022.</summary>
    public required string ModelKind { get; init; }

    /// <summary>Width of the embedding and of one frame (the layered width for layered X models).</summary>
    public required int FeatureD { get; init; }

    /// <summary>The encoder's own d (for layered models narrower than <see cref="FeatureD"/>).</summary>
    public required int EncoderD { get; init; }

    public required int NMels { get; init; }
    public required int FrameStride { get; init; }
    public bool Layered { get; init; }
    public bool HasFrontEnd { get; init; }
    public bool HasFrames { get; init; }
    public (double Mean, double Std)? Stats { get; init; }
    public required int SampleRate { get; init; }
    public required int NFft { get; init; }
    public required int WinLength { get; init; }
    public required int HopLength { get; init; }
    public required double FMin { get; init; }
    public required double FMax { get; init; }
    public string SourceSha256 { get; init; } = "";

    /// <summary>Time between output frames in milliseconds: hop_length · frame stride / sample_rate.</summary>
    public double FrameHopMs => 1000.0 * HopLength * FrameStride / SampleRate;

    /// <summary>The metadata entries, keys in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToMetadata()
    {
        var m = new List<KeyValuePair<string, string>>();
        void Add(string key, object value) => m.Add(new(key, Convert.ToString(value, CultureInfo.InvariantCulture)!));
        Add("model_kind", ModelKind);
        Add("feature_d", FeatureD);
        Add("encoder_d", EncoderD);
        Add("n_mels", NMels);
        Add("frame_stride", FrameStride);
        Add("frame_hop_ms", FrameHopMs.ToString("R", CultureInfo.InvariantCulture));
        Add("layered", Layered ? "true" : "false");
        Add("frontend", HasFrontEnd ? "true" : "false");
        Add("frames", HasFrames ? "true" : "false");
        if (Stats is var (mean, std))
        {
            Add("stats_mean", mean.ToString("R", CultureInfo.InvariantCulture));
            Add("stats_std", std.ToString("R", CultureInfo.InvariantCulture));
        }
        Add("sample_rate", SampleRate);
        Add("n_fft", NFft);
        Add("win_length", WinLength);
        Add("hop_length", HopLength);
        Add("f_min", FMin.ToString("R", CultureInfo.InvariantCulture));
        Add("f_max", FMax.ToString("R", CultureInfo.InvariantCulture));
        Add("source_sha256", SourceSha256);
        return m;
    }

    /// <summary>Reads the entries written by <see cref="ToMetadata"/>; <paramref name="path"/> names the file in errors.</summary>
    public static OnnxModelInfo FromMetadata(IReadOnlyDictionary<string, string> m, string path)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v
            : throw new ByolAException($"{path}: ONNX metadata lacks '{key}' — was it exported by byola? Export the weights again");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ByolAException($"{path}: ONNX metadata '{key}' = '{m[key]}' is not an integer");
        double Num(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ByolAException($"{path}: ONNX metadata '{key}' = '{m[key]}' is not a number");
        var kind = Get("model_kind");
        if (!Enum.GetNames<ByolA.ModelKind>().Contains(kind, StringComparer.Ordinal))
            throw new ByolAException($"{path}: unknown model_kind '{kind}' in the ONNX metadata (expected {string.Join(", ", Enum.GetNames<ByolA.ModelKind>())})");
        return new OnnxModelInfo
        {
            ModelKind = kind,
            FeatureD = Int("feature_d"),
            EncoderD = Int("encoder_d"),
            NMels = Int("n_mels"),
            FrameStride = Int("frame_stride"),
            Layered = Get("layered") == "true",
            HasFrontEnd = Get("frontend") == "true",
            HasFrames = Get("frames") == "true",
            Stats = m.ContainsKey("stats_mean") ? (Num("stats_mean"), Num("stats_std")) : null,
            SampleRate = Int("sample_rate"),
            NFft = Int("n_fft"),
            WinLength = Int("win_length"),
            HopLength = Int("hop_length"),
            FMin = Num("f_min"),
            FMax = Num("f_max"),
            SourceSha256 = m.TryGetValue("source_sha256", out var sha) ? sha : "",
        };
    }

    /// <summary>
    /// Throws unless <paramref name="config"/> computes the same log-mel the model was exported with (sample rate,
    /// STFT and mel parameters), naming the first difference.
    /// </summary>
    public void RequireFrontEnd(ByolAConfig config, string path)
    {
        (string Key, object Model, object Config)[] pairs =
        [
            ("sample_rate", SampleRate, config.SampleRate), ("n_fft", NFft, config.NFft), ("win_length", WinLength, config.WinLength),
            ("hop_length", HopLength, config.HopLength), ("n_mels", NMels, config.NMels), ("f_min", FMin, config.FMin), ("f_max", FMax, config.FMax),
        ];
        foreach (var (key, model, cfg) in pairs)
            if (!Equals(model, cfg))
                throw new ByolAException($"{path}: the model was exported with {key} {model}, but the config has {cfg}; use the config it was exported with ({key}: {model})");
    }
}
