using System.Buffers.Binary;
using ByolA.Configuration;
using ByolA.Learning;
using ByolA.Tests.Support;

namespace ByolA.Tests.Learning;

/// <summary>The TensorBoard log of a training run, read back record by record as TensorBoard reads it.</summary>
[Collection(TorchRngCollection.Name)]
public class TensorBoardLogTests
{
    static readonly ByolAConfig Tiny = ByolAConfig.V1 with { FeatureD = 64, ProjDim = 32, ProjSize = 16, Bs = 4, Epochs = 3, Lr = 1e-3, Seed = 7, NumWorkers = 2 };

    [Fact]
    public void Training_writes_scalar_curves_and_view_pictures_that_TensorBoard_can_read()
    {
        using var dir = new TempDir();
        var files = new List<string>();
        var rng = new Random(5);
        for (int k = 0; k < 8; k++)
        {
            var x = Enumerable.Range(0, 16000).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 100 * k) * i / 16000) + 0.05 * (rng.NextDouble() - 0.5))).ToArray();
            files.Add(dir.File($"clip{k}.wav"));
            ByolA.Data.WavFile.WritePcm16(files[^1], x, 16000);
        }
        var result = Trainer.Run(new TrainOptions
        {
            Config = Tiny, Files = files, OutputDir = dir.File("out"), TensorBoardDir = dir.File("tb"), TensorBoardImageEvery = 2,
        });

        var events = Directory.GetFiles(dir.File("tb"), "events.out.tfevents.*").SelectMany(ReadEvents).ToList();
        var scalars = events.Where(e => e.Summary != null).SelectMany(e => e.Summary.Value.Select(v => (e.Step, v))).ToList();
        foreach (var tag in new[] { "train/loss", "train/lr", "train/samples_per_s", "views/mb", "views/sb", "views/ma", "views/sa" })
            Assert.Equal([1L, 2L, 3L], scalars.Where(s => s.v.Tag == tag && s.v.Image == null).Select(s => s.Step));
        var losses = scalars.Where(s => s.v.Tag == "train/loss").Select(s => (double)s.v.SimpleValue).ToList();
        Assert.Equal(result.Epochs.Select(e => (double)(float)e.Loss), losses);
        Assert.Equal((float)Tiny.Lr, scalars.First(s => s.v.Tag == "train/lr").v.SimpleValue);

        // Pictures on epochs 1 and 3: PNGs of the two views, 2·64 + 1 rows by the clip's frames.
        var pictures = scalars.Where(s => s.v.Tag == "views/log_mel").ToList();
        Assert.Equal([1L, 3L], pictures.Select(p => p.Step));
        var image = pictures[0].v.Image;
        Assert.Equal((2 * 64 + 1, 96), (image.Height, image.Width));
        Assert.True(image.EncodedImageString.Span.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']));
    }

    /// <summary>TFRecords (length, masked CRC-32C of it, data, masked CRC-32C of it), each an Event message; CRCs checked.</summary>
    static IEnumerable<Tensorboard.Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path);
        for (int at = 0; at < bytes.Length;)
        {
            var header = bytes.AsSpan(at, 8);
            Assert.Equal(Masked(header), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)));
            int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
            var data = bytes.AsSpan(at + 12, length);
            Assert.Equal(Masked(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)));
            yield return Tensorboard.Event.Parser.ParseFrom(data.ToArray());
            at += 12 + length + 4;
        }
    }

    static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? crc >> 1 ^ 0x82F63B78 : crc >> 1;
        }
        crc = ~crc;
        return (crc >> 15 | crc << 17) + 0xA282EAD8;
    }
}
