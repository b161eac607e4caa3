using SkiaSharp;

namespace ByolA.Tests.Support;

/// <summary>Decodes a PNG the code under test wrote, to check it is a real picture of the promised size.</summary>
public static class Png
{
    /// <summary>Width and height of the decoded image, and the fraction of its pixels that are not white.</summary>
    public static (int Width, int Height, double Inked) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{path} is not a PNG");
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        long inked = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 240 || c.Green < 240 || c.Blue < 240) inked++;
            }
        return (bitmap.Width, bitmap.Height, (double)inked / ((long)bitmap.Width * bitmap.Height));
    }
}
