namespace ByolA.Augmentations;

/// <summary>A crop of the virtual canvas: top row <see cref="I"/>, left column <see cref="J"/>, height, width.</summary>
internal readonly record struct CropBox(int I, int J, int H, int W);
