namespace ByolA.Finetune;

/// <summary>The optimiser of a fine-tuning run (SPEC §10).</summary>
public enum FinetuneOptimizer
{
    /// <summary>SGD with momentum 0.9, no weight decay (the default).</summary>
    Sgd,

    /// <summary>AdamW: weight decay 1e-4, betas (0.9, 0.95), eps 1e-8, AMSGrad.</summary>
    AdamW,

    /// <summary>LARS: SGD with momentum 0.9 whose step for each weight matrix is scaled by the layer's trust ratio.</summary>
    Lars,
}
