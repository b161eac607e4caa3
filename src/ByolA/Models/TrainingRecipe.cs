namespace ByolA.Models;

/// <summary>The normalisation and augmentation a training recipe uses (SPEC §4–5).</summary>
internal enum TrainingRecipe
{
    /// <summary>v1: running normalisation over the first epochs, then Mixup, RandomResizeCrop, per-view normalisation.</summary>
    RunningNormV1,

    /// <summary>v2: normalisation by statistics of the training clips computed before training, then v2's augmentations.</summary>
    DatasetNormV2,
}
