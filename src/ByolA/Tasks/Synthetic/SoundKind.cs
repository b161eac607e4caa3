namespace ByolA.Tasks.Synthetic;

/// <summary>The classes of the generated demo dataset; each is a family of sounds with random parameters.</summary>
public enum SoundKind
{
    /// <summary>A steady harmonic tone (3–6 partials, decaying amplitudes).</summary>
    Tone,
    /// <summary>An exponential upward frequency sweep.</summary>
    Chirp,
    /// <summary>Band-limited noise (about a third of an octave wide).</summary>
    NoiseBand,
    /// <summary>A periodic train of short decaying clicks.</summary>
    Clicks,
    /// <summary>A tone with sinusoidal amplitude modulation (tremolo).</summary>
    Tremolo,
    /// <summary>A buzzy low pitch with many 1/k partials.</summary>
    Buzz,
}
