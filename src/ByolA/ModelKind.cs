namespace ByolA;

/// <summary>
/// The encoder families, named as in the original code, config files, weight file names and ONNX metadata
/// (<c>model_kind</c>): the names are the on-disk spelling, so <see cref="object.ToString"/> writes them.
/// </summary>
public enum ModelKind
{
    /// <summary>v1 (BYOL-A 2021): three conv blocks, Linear(64·F/8 → d), Linear(d → d); also the v1 training recipe.</summary>
    AudioNTT2020,

    /// <summary>v1 weights with every layer's output reachable (layered features); not a training recipe.</summary>
    AudioNTT2020X,

    /// <summary>v2 (BYOL-A 2023): conv features concatenated with an MLP's; also the v2 training recipe.</summary>
    AudioNTT2022,
}
