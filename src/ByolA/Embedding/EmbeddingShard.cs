namespace ByolA.Embedding;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based) of an embed run over a big corpus: the inputs, in the
/// order an unsharded run embeds them, are cut into <see cref="Count"/> contiguous runs of near-equal length, so the
/// parts joined in shard order are exactly the unsharded output. Runs are cut on the unsharded run's batch
/// boundaries, so every batch a shard encodes is one the unsharded run encodes, with the same clips at the same
/// places: libtorch's CPU kernels (oneDNN) choose their code by the batch's shape, and a clip encoded in a batch of
/// another size can differ in its last bit.
/// </summary>
public sealed record EmbeddingShard(int Index, int Count)
{
    /// <summary>Environment variable giving the shard count to Kubernetes Indexed Jobs (set it to the Job's completions).</summary>
    public const string CountVariable = "BYOLA_SHARD_COUNT";

    /// <summary>
    /// What made the run this shard belongs to (<see cref="EmbeddingRun.Describe"/>), written into the part so that
    /// parts of different runs are not merged; null when not known (then the part records none).
    /// </summary>
    public IReadOnlyList<string>? Run { get; init; }

    /// <summary>Throws <see cref="ByolAException"/> unless 1 ≤ Index ≤ Count.</summary>
    public EmbeddingShard Validate()
    {
        if (Count < 1 || Index < 1 || Index > Count)
            throw new ByolAException($"shard {Index}/{Count}: K must be between 1 and N (N ≥ 1)");
        return this;
    }

    /// <summary>
    /// This shard's items, whole groups of <paramref name="unit"/> (the unsharded run's batches): of the
    /// b = ⌈n/unit⌉ groups it takes [⌊(K−1)·b/N⌋, ⌊K·b/N⌋). May be empty when b &lt; N.
    /// </summary>
    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> items, int unit = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(unit, 1);
        long groups = (items.Count + (long)unit - 1) / unit;
        long from = (Index - 1) * groups / Count * unit, to = Math.Min(Index * groups / Count * unit, items.Count);
        return items.Skip((int)from).Take((int)(to - from)).ToArray();
    }

    /// <summary>Parses "K/N" (e.g. "3/8").</summary>
    public static EmbeddingShard Parse(string text)
    {
        var parts = (text ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n))
            throw new ByolAException($"shard '{text}' must be K/N (e.g. 3/8) or auto");
        return new EmbeddingShard(k, n).Validate();
    }

    /// <summary>
    /// The shard a batch scheduler assigned to this process: Slurm job arrays (<c>SLURM_ARRAY_TASK_ID</c>, counted from
    /// <c>SLURM_ARRAY_TASK_MIN</c>, with <c>SLURM_ARRAY_TASK_COUNT</c>; the array must have step 1), or Kubernetes
    /// Indexed Jobs (<c>JOB_COMPLETION_INDEX</c>, 0-based, with the count in <see cref="CountVariable"/>, which
    /// Kubernetes does not provide).
    /// </summary>
    public static EmbeddingShard FromEnvironment(Func<string, string?> variable)
    {
        int Read(string name)
        {
            var text = variable(name);
            if (string.IsNullOrWhiteSpace(text)) throw new ByolAException($"shard auto: {name} is not set");
            if (!int.TryParse(text, out int value)) throw new ByolAException($"shard auto: {name}='{text}' is not a whole number");
            return value;
        }
        if (!string.IsNullOrWhiteSpace(variable("SLURM_ARRAY_TASK_ID")))
        {
            int id = Read("SLURM_ARRAY_TASK_ID"), count = Read("SLURM_ARRAY_TASK_COUNT");
            int min = string.IsNullOrWhiteSpace(variable("SLURM_ARRAY_TASK_MIN")) ? 0 : Read("SLURM_ARRAY_TASK_MIN");
            if (count < 1) throw new ByolAException($"shard auto: SLURM_ARRAY_TASK_COUNT {count} must be at least 1");
            if (id - min >= count || id < min)
                throw new ByolAException($"shard auto: SLURM_ARRAY_TASK_ID {id} is outside the {count} tasks from SLURM_ARRAY_TASK_MIN {min}; use a step-1 array ({min}-{min + count - 1}) or give K/N");
            return new EmbeddingShard(id - min + 1, count).Validate();
        }
        if (!string.IsNullOrWhiteSpace(variable("JOB_COMPLETION_INDEX")))
        {
            int index = Read("JOB_COMPLETION_INDEX");
            if (string.IsNullOrWhiteSpace(variable(CountVariable)))
                throw new ByolAException($"shard auto: JOB_COMPLETION_INDEX is set but {CountVariable} is not; set it to the Job's completions");
            int total = Read(CountVariable);
            // Named by the variables that were set, not as the "shard K/N" they would make (6/2 meant nothing to the user).
            if (total < 1) throw new ByolAException($"shard auto: {CountVariable} {total} must be at least 1 (the Job's completions)");
            if (index < 0 || index >= total)
                throw new ByolAException($"shard auto: JOB_COMPLETION_INDEX {index} is outside 0-{total - 1}, the indices of {CountVariable} {total} completions; set {CountVariable} to the Job's completions");
            return new EmbeddingShard(index + 1, total).Validate();
        }
        throw new ByolAException("shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; give K/N");
    }

    public override string ToString() => $"{Index}/{Count}";

    /// <summary>Shards are equal by position (<see cref="Index"/>, <see cref="Count"/>); <see cref="Run"/> is compared by the merger.</summary>
    public bool Equals(EmbeddingShard? other) => other is not null && Index == other.Index && Count == other.Count;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Index, Count);
}
