using ByolA.Data;
using ByolA.Audio;
using static TorchSharp.torch;

namespace ByolA.Tests.Audio;

public class UnitClipTests
{
    static float[] Ramp(int n) => Enumerable.Range(1, n).Select(i => (float)i).ToArray();

    [Fact]
    public void Short_clips_are_padded_on_both_ends_with_the_extra_sample_on_the_right()
    {
        Assert.Equal(new float[] { 0, 1, 2, 3, 0, 0 }, UnitClip.Fit(Ramp(3), 6, null));
        Assert.Equal(new float[] { 0, 0, 1, 2, 0, 0 }, UnitClip.Fit(Ramp(2), 6, new Random(1)));
    }

    [Fact]
    public void Long_clips_are_cropped_at_the_centre_without_rng()
    {
        Assert.Equal(new float[] { 3, 4, 5 }, UnitClip.Fit(Ramp(7), 3, null));
        Assert.Equal(new float[] { 2, 3, 4 }, UnitClip.Fit(Ramp(6), 3, null));
    }

    [Fact]
    public void Long_clips_are_cropped_at_a_uniform_random_start()
    {
        var wav = Ramp(10);
        var rng = new Random(7);
        var starts = new HashSet<float>();
        for (int i = 0; i < 400; i++)
        {
            var clip = UnitClip.Fit(wav, 4, rng);
            Assert.Equal(4, clip.Length);
            Assert.Equal(new[] { clip[0], clip[0] + 1, clip[0] + 2, clip[0] + 3 }, clip);
            starts.Add(clip[0]);
        }
        // Every start 0..6 (values 1..7) occurs, and nothing beyond.
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (float)i).ToHashSet(), starts);
        // Same seed, same crops.
        Assert.Equal(UnitClip.Fit(wav, 4, new Random(3)), UnitClip.Fit(wav, 4, new Random(3)));
    }

    [Fact]
    public void Exact_length_is_returned_unchanged()
    {
        var wav = Ramp(5);
        Assert.Same(wav, UnitClip.Fit(wav, 5, new Random(0)));
    }
}
