using ByolA.Data;
using ScottPlot;

namespace ByolA.Reports;

/// <summary>
/// Renders ScottPlot figures to PNG files through <see cref="AtomicFile"/>, so a picture that is rewritten while
/// someone looks at it (training curves, every epoch) is always either the old or the new one, never half a file.
/// </summary>
internal static class PngFile
{
    public static void Save(Plot plot, string path, int width, int height) =>
        AtomicFile.Write(path, s => s.Write(plot.GetImageBytes(width, height, ImageFormat.Png)));

    public static void Save(Multiplot multiplot, string path, int width, int height)
    {
        using var image = multiplot.Render(width, height);
        AtomicFile.Write(path, s => s.Write(image.GetImageBytes(ImageFormat.Png)));
    }
}
