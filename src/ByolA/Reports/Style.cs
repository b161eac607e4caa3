using ScottPlot;

namespace ByolA.Reports;

/// <summary>The look shared by every figure: a sans-serif font (ScottPlot's default resolves to a serif one here).</summary>
internal static class Style
{
    /// <summary>The first installed of a few common sans-serif families, else ScottPlot's own choice.</summary>
    static readonly string SansFont = new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica" }
        .FirstOrDefault(f => SkiaSharp.SKFontManager.Default.GetFontFamilies().Contains(f, StringComparer.OrdinalIgnoreCase)) ?? Fonts.Sans;

    public static void Apply(Plot plot)
    {
        plot.Font.Set(SansFont);
    }
}
