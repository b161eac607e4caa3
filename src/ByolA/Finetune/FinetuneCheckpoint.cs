using System.Collections;
using ByolA.Data;
using ByolA.Weights;
using static TorchSharp.torch;

namespace ByolA.Finetune;

/// <summary>
/// Where a fine-tuning run keeps its end-of-epoch checkpoint and whether to continue from it. The file is a PyTorch
/// state dict (written through <see cref="AtomicFile"/>, so an interruption leaves the previous one) holding the
/// encoder, scaler and head, the optimiser's state, both random sources, the best epoch's weights and score, the
/// epoch count and the run's <see cref="Fingerprint"/>: a resume with other options is refused.
/// </summary>
internal sealed record FinetuneCheckpoint(string Path, bool Resume, string Fingerprint)
{
    /// <summary>The record naming the options the checkpoint was written with.</summary>
    const string FingerprintRecord = "finetune_options";

    public void Save(IEnumerable<KeyValuePair<string, Tensor>> table) =>
        AtomicFile.Write(Path, stream => StateDictWriter.Write(stream, table, new Dictionary<string, string> { [FingerprintRecord] = Fingerprint }));

    /// <summary>The saved tensors by key, or null when there is nothing to resume; throws for another run's checkpoint.</summary>
    public Dictionary<string, Tensor>? Load()
    {
        if (!Resume) return null;
        if (!File.Exists(Path)) throw new ByolAException($"{Path}: no fine-tuning checkpoint to resume; run once without resuming first");
        var written = StateDictWriter.ReadRecord(Path, FingerprintRecord)
            ?? throw new ByolAException($"{Path}: not a fine-tuning checkpoint; give the folder of an earlier finetune run");
        if (written != Fingerprint)
            throw new ByolAException($"{Path}: the checkpoint was written with other options ({written}); this run has {Fingerprint}. " +
                                     "Resume with the same options, or start without resuming");
        var raw = StateDictReader.Read(Path, "fine-tuning checkpoint");
        var result = new Dictionary<string, Tensor>();
        // Copies owned by libtorch: the reader's tensors may sit on buffers that live only as long as what it returned.
        foreach (DictionaryEntry e in raw)
            if (e.Key is string k && e.Value is Tensor t) result[k] = t.clone().DetachFromDisposeScope();
        GC.KeepAlive(raw);
        return result;
    }
}
