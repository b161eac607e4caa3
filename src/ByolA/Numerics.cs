namespace ByolA;

/// <summary>Numeric constants shared by the front end, the augmentations and the trainer.</summary>
internal static class Numerics
{
    /// <summary>
    /// float32 machine epsilon (<c>torch.finfo(torch.float32).eps</c>), the <c>eps</c> of SPEC.md: added before every
    /// log (log-mel, mixup, noise) and the floor of every standard deviation (normalisation). One definition, so the
    /// front end, the augmentations and the ONNX graph cannot drift apart.
    /// </summary>
    public const float Eps = 1.1920929e-07f;
}
