namespace ByolA.Tasks.Synthetic;

/// <summary>
/// The classes of the generated demo dataset. Every class spans the same wide range of pitch (three octaves),
/// level and timing and is heard over random background noise and, often, a quieter sound of another class, so
/// neither pitch nor loudness nor spectral position identifies it: the first five differ by timbre, the last three
/// by temporal pattern (their carrier timbre is drawn at random from the steady ones).
/// </summary>
public enum SoundKind
{
    /// <summary>A nearly pure tone (fundamental with faint second and third partials).</summary>
    Sine,
    /// <summary>Odd harmonics only, amplitude 1/k (hollow, clarinet-like).</summary>
    Square,
    /// <summary>All harmonics, amplitude 1/k (bright, brass-like).</summary>
    Saw,
    /// <summary>Inharmonic partials of a struck bar (ratios 1, 2.76, 5.40, 8.93), each decaying exponentially.</summary>
    Bell,
    /// <summary>A plucked string: harmonics with a sharp attack and a fast decay, upper partials dying first.</summary>
    Pluck,
    /// <summary>A steady tone with periodic pitch modulation (4–8 Hz, 2–5 %).</summary>
    Vibrato,
    /// <summary>A steady tone with deep periodic amplitude modulation (5–12 Hz).</summary>
    Tremolo,
    /// <summary>Three to six short notes at one pitch, evenly spaced.</summary>
    Repeats,
}
