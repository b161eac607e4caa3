using System.Buffers.Binary;
using ByolA.Data;
using ByolA.Tests.Audio;
using ByolA.Tests.Support;

namespace ByolA.Tests.Data;

public class ClipSourceTests
{
    const int Rate = 16000, Unit = 1600;

    static string[] Write(TempDir dir, params int[] lengths)
    {
        var paths = new string[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            paths[i] = dir.File($"c{i}.wav");
            TestWav.Write(paths[i], TestWav.Sines(1, lengths[i], Rate, baseHz: 97 + 31 * i), Rate, 16, isFloat: false);
        }
        return paths;
    }

    static ClipSourceOptions Options(ClipCrop crop = ClipCrop.Random, int workers = 2, bool skip = true) =>
        new() { SampleRate = Rate, UnitSamples = Unit, Crop = crop, Seed = 7, Workers = workers, SkipUnreadable = skip };

    [Fact]
    public void Clips_equal_the_whole_file_decoded_and_fitted_with_the_per_file_generator()
    {
        using var dir = new TempDir();
        var files = Write(dir, 400, 1600, 5000, 16000, 1601);
        var source = new ClipSource(files, Options());
        foreach (int epoch in new[] { 1, 2 })
            for (int i = 0; i < files.Length; i++)
            {
                var expected = UnitClip.Fit(AudioLoader.LoadMono(files[i], Rate), Unit, ClipSource.CropRandom(7, epoch, i));
                Assert.Equal(expected, source.ReadClip(i, epoch));
            }
        // Different epochs crop a long file differently; the centre crop is the middle.
        Assert.NotEqual(source.ReadClip(3, 1), source.ReadClip(3, 2));
        var centre = new ClipSource(files, Options(ClipCrop.Centre));
        Assert.Equal(AudioLoader.LoadMono(files[3], Rate).AsSpan((16000 - Unit) / 2, Unit).ToArray(), centre.ReadClip(3, 5));
    }

    [Fact]
    public void Batches_do_not_depend_on_the_number_of_workers()
    {
        using var dir = new TempDir();
        var files = Write(dir, 3000, 2000, 8000, 1000, 4000, 1700);
        int[][] batches = [[5, 0, 3], [2, 4, 1]];
        float[] Run(int workers) => new ClipSource(files, Options(workers: workers)).Batches(batches, 3)
            .SelectMany(b => b.Samples).ToArray();
        Assert.Equal(Run(1), Run(4));
    }

    [Fact]
    public void A_long_file_costs_only_its_crop()
    {
        // A 1 GiB WAV (sparse on disk) with a marker where the centre crop falls: only those bytes are read.
        using var dir = new TempDir();
        var path = dir.File("long.wav");
        long frames = 1L << 29;
        var header = TestWav.File(TestWav.Pcm, 1, Rate, 16, []);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)(36 + 2 * frames));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(40), (uint)(2 * frames));
        var marker = TestWav.Encode([Enumerable.Range(0, Unit).Select(i => (i % 100) / 200f).ToArray()], 16, false);
        using (var stream = new FileStream(path, FileMode.CreateNew))
        {
            stream.Write(header);
            stream.SetLength(header.Length + 2 * frames);
            stream.Position = header.Length + 2 * ((frames - Unit) / 2);
            stream.Write(marker);
        }
        var clip = new ClipSource([path], Options(ClipCrop.Centre)).ReadClip(0, 0);
        Assert.Equal(Enumerable.Range(0, Unit).Select(i => BinaryPrimitives.ReadInt16LittleEndian(marker.AsSpan(2 * i)) / 32768f), clip);
    }

    [Fact]
    public void Unreadable_files_are_listed_or_stop_the_source()
    {
        using var dir = new TempDir();
        var files = Write(dir, 2000, 2000, 2000).ToList();
        File.WriteAllText(dir.File("bad.wav"), "not audio");
        files.Insert(1, dir.File("bad.wav"));

        var lenient = new ClipSource(files, Options());
        var batches = lenient.Batches(lenient.InOrder(3), 0).ToList();
        Assert.Equal([0, 2], batches[0].Indices);
        Assert.Equal(1, Assert.Single(batches[0].Failed).Index);
        Assert.Equal(2 * Unit, batches[0].Samples.Length);
        Assert.StartsWith(dir.File("bad.wav") + ": not a readable WAV file", Assert.Single(lenient.Unreadable));

        var strict = new ClipSource(files, Options(skip: false));
        var e = Assert.Throws<ByolAException>(() => strict.Batches(strict.InOrder(3), 0).ToList());
        Assert.Contains("bad.wav", e.Message);
    }
}
