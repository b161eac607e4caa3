using ByolA.Models;
namespace ByolA.Configuration;

/// <summary>
/// Typed form of configs/config.yaml (v1) and configs/config_v2.yaml (v2). Property names map to the YAML keys
/// in snake_case (UnitSec ↔ unit_sec). Defaults are the v1 values of SPEC.md §1.
/// </summary>
public sealed record ByolAConfig
{
    public double UnitSec { get; init; } = 0.95;
    public int SampleRate { get; init; } = 16000;
    public int NFft { get; init; } = 1024;
    public int WinLength { get; init; } = 1024;
    public int HopLength { get; init; } = 160;
    public int NMels { get; init; } = 64;
    public double FMin { get; init; } = 60;
    public double FMax { get; init; } = 7800;
    public int FeatureD { get; init; } = 2048;
    public int ProjSize { get; init; } = 256;
    public int ProjDim { get; init; } = 4096;
    public double EmaDecay { get; init; } = 0.99;
    public int Seed { get; init; } = 42;
    public int Bs { get; init; } = 256;
    public double Lr { get; init; } = 0.0003;
    public int Epochs { get; init; } = 100;
    public int Gpus { get; init; } = 1;
    public int NumWorkers { get; init; } = 8;

    /// <summary>
    /// Gradient accumulation (key <c>accum_steps</c>; not in the original's configs): the gradients of this many
    /// consecutive batches of <see cref="Bs"/> are summed, each counting 1/K, before one optimizer step, so a step sees
    /// bs × K clips with the memory of one batch (BatchNorm still sees one batch). An epoch's batches short of a last
    /// group of K are dropped, as its incomplete last batch is. Default 1: one batch per step.
    /// </summary>
    public int AccumSteps { get; init; } = 1;
    public string Resume { get; init; } = "";
    public int[] Shape { get; init; } = [64, 96];
    public string CheckpointFolder { get; init; } = "checkpoints";

    /// <summary>
    /// Training precision (key <c>precision</c>: fp32, tf32 or bf16; not in the original's configs): bf16 trains in
    /// mixed precision through libtorch's autocast with FP32 weights and optimizer state. Default FP32.
    /// </summary>
    public ByolA.Runtime.NumericPrecision Precision { get; init; } = ByolA.Runtime.NumericPrecision.Fp32;

    /// <summary>Encoder family, which also selects the training recipe: AudioNTT2020 (v1) or AudioNTT2022 (v2).</summary>
    public ModelKind Model { get; init; } = ModelKind.AudioNTT2020;

    /// <summary>The registry entry of <see cref="Model"/>: its encoder, training recipe and weight names.</summary>
    internal EncoderKind Encoder => EncoderKinds.Of(Model);

    /// <summary>The v1 recipe's values (configs/config.yaml).</summary>
    public static ByolAConfig V1 { get; } = new();

    /// <summary>The v2 recipe's values (configs/config_v2.yaml): AudioNTT2022, d=3072, lr 0.0001.</summary>
    public static ByolAConfig V2 { get; } = new() { FeatureD = 3072, Lr = 0.0001, Model = ModelKind.AudioNTT2022 };


    /// <summary>The most samples one clip may have: .NET's largest array (clips are float arrays).</summary>
    public static int MaxUnitSamples => Array.MaxLength;

    /// <summary>Number of samples in one unit-length clip.</summary>
    public int UnitSamples => (int)(UnitSec * SampleRate);

    /// <summary>The front end's part of the config (what <c>LogMelSpectrogram</c> takes).</summary>
    public FrontEndOptions FrontEnd => new(SampleRate, NFft, WinLength, HopLength, NMels, FMin, FMax);

    /// <summary>Throws <see cref="ConfigException"/> naming the first key whose value cannot work.</summary>
    public ByolAConfig Validate(string source)
    {
        void Require(bool ok, string key, string why)
        {
            if (!ok) throw new ConfigException(source, key, why);
        }
        Require(UnitSec > 0, "unit_sec", $"must be > 0 (got {UnitSec})");
        Require(SampleRate > 0, "sample_rate", $"must be > 0 (got {SampleRate})");
        Require(UnitSec * SampleRate <= MaxUnitSamples, "unit_sec",
            $"must be at most {MaxUnitSamples / (double)SampleRate:0.###} s at {SampleRate} Hz, one clip being one array of at most {MaxUnitSamples} samples (got {UnitSec})");
        Require(NFft > 0, "n_fft", $"must be > 0 (got {NFft})");
        Require(WinLength > 0 && WinLength <= NFft, "win_length", $"must be in 1..n_fft (got {WinLength})");
        Require(HopLength > 0, "hop_length", $"must be > 0 (got {HopLength})");
        Require(NMels > 0 && NMels % 8 == 0, "n_mels", $"must be a positive multiple of 8 (got {NMels})");
        Require(FMin >= 0 && FMin < FMax, "f_min", $"must be >= 0 and below f_max (got {FMin})");
        Require(FMax <= SampleRate / 2.0, "f_max", $"must not exceed sample_rate/2 (got {FMax})");
        Require(FeatureD > 0, "feature_d", $"must be > 0 (got {FeatureD})");
        Require(ProjSize > 0, "proj_size", $"must be > 0 (got {ProjSize})");
        Require(ProjDim > 0, "proj_dim", $"must be > 0 (got {ProjDim})");
        Require(EmaDecay >= 0 && EmaDecay <= 1, "ema_decay", $"must be in [0, 1] (got {EmaDecay})");
        Require(Bs > 0, "bs", $"must be > 0 (got {Bs})");
        Require(Lr > 0 && Lr <= 1000, "lr", $"must be a number in (0, 1000] (got {Lr})");   // libtorch holds it as float32
        Require(Epochs > 0, "epochs", $"must be > 0 (got {Epochs})");
        Require(Gpus >= 0, "gpus", $"must be >= 0 (got {Gpus})");
        Require(NumWorkers >= 0, "num_workers", $"must be >= 0 (got {NumWorkers})");
        Require(AccumSteps is >= 1 and <= 4096, "accum_steps", $"must be a number of batches from 1 to 4096 (got {AccumSteps})");
        Require(Shape.Length == 2 && Shape[0] > 0 && Shape[1] > 0, "shape", "must be [n_mels, frames] with two positive numbers");
        Require(Shape.Length != 2 || Shape[0] == NMels, "shape", $"first entry must equal n_mels ({NMels})");
        Require(EncoderKinds.Trainable.Any(k => k.Kind == Model), "model", $"must be one of {string.Join(", ", EncoderKinds.Trainable)} (got '{Model}')");
        return this;
    }
}
