using static TorchSharp.torch;

namespace ByolA.Learning;

/// <summary>
/// A training run's TensorBoard event file, through TorchSharp's <c>torch.utils.tensorboard.SummaryWriter</c>: per epoch
/// the curves of <c>train_log.csv</c> (loss, learning rate, samples/s and the views' statistics before and after
/// NormalizeBatch, mb/sb/ma/sa, under the original's names), and on chosen epochs a picture of one clip's two augmented
/// views as log-mel images, one above the other, low frequencies at the bottom. Steps are epochs, so a resumed run
/// continues the same curves. TensorBoard is a view on the run, not part of it: a failure to write is reported once and
/// training goes on.
/// </summary>
internal sealed class TensorBoardLog
{
    readonly TorchSharp.Modules.SummaryWriter writer;
    readonly Action<string>? warn;
    bool failed;

    /// <summary>Opens (creates) the log folder <paramref name="folder"/>; a folder that cannot be made is a <see cref="ByolAException"/>.</summary>
    public TensorBoardLog(string folder, Action<string>? warn = null)
    {
        Data.IoErrors.CreateFolder(folder, "write the TensorBoard log");
        writer = utils.tensorboard.SummaryWriter(folder);
        Folder = folder;
        this.warn = warn;
    }

    /// <summary>The folder of the event files.</summary>
    public string Folder { get; }

    /// <summary>The epoch's scalars.</summary>
    public void WriteEpoch(EpochMetrics metrics, double learningRate) => Guard(() =>
    {
        int step = metrics.Epoch;
        writer.add_scalar("train/loss", (float)metrics.Loss, step);
        writer.add_scalar("train/lr", (float)learningRate, step);
        writer.add_scalar("train/samples_per_s", (float)metrics.SamplesPerSecond, step);
        writer.add_scalar("views/mb", (float)metrics.Mb, step);
        writer.add_scalar("views/sb", (float)metrics.Sb, step);
        writer.add_scalar("views/ma", (float)metrics.Ma, step);
        writer.add_scalar("views/sa", (float)metrics.Sa, step);
    });

    /// <summary>
    /// The first clip of a batch's two views (B, 1, F, T), as one grey image: view 1 above view 2, a white line between,
    /// each scaled to its own minimum and maximum, frequency rising upwards. Made on the host and encoded here as PNG:
    /// TorchSharp's tensor image path makes temporary Scalars (see Runtime's KeptScalars).
    /// </summary>
    public void WriteViews(int epoch, Tensor view1, Tensor view2) => Guard(() =>
    {
        var (a, rows, columns) = Grey(view1);
        var (b, _, _) = Grey(view2);
        var pixels = new byte[(2 * rows + 1) * columns];
        a.CopyTo(pixels, 0);
        Array.Fill(pixels, (byte)255, rows * columns, columns);
        b.CopyTo(pixels, (rows + 1) * columns);
        var file = Path.Combine(Folder, $"views-epoch{epoch}.png");
        File.WriteAllBytes(file, GreyPng.Encode(pixels, columns, 2 * rows + 1));
        writer.add_img("views/log_mel", file, epoch);
    });

    /// <summary>The first item's (F, T) log-mel as bytes, min→0, max→255, row 0 the highest mel bin.</summary>
    static (byte[] Pixels, int Rows, int Columns) Grey(Tensor view)
    {
        using var scope = NewDisposeScope();
        var x = view[0, 0].detach().cpu().to_type(ScalarType.Float32).contiguous();
        int rows = (int)x.shape[0], columns = (int)x.shape[1];
        var values = x.data<float>().ToArray();
        float low = values.Min(), high = values.Max();
        float range = Math.Max(high - low, 1e-12f);
        var pixels = new byte[values.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                pixels[(rows - 1 - r) * columns + c] = (byte)Math.Round(255 * Math.Clamp((values[r * columns + c] - low) / range, 0, 1));
        return (pixels, rows, columns);
    }

    void Guard(Action write)
    {
        if (failed) return;
        try { write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            failed = true;
            warn?.Invoke($"{Folder}: TensorBoard log not written any more ({e.Message.TrimEnd('.')}); training goes on");
        }
    }
}
