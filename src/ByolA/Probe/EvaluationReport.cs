using ByolA.Progress;
using ByolA.Reports;
using ByolA.Tasks;

namespace ByolA.Probe;

/// <summary>
/// What evaluate and finetune write once their runs are scored, the same for both: a row of RESULTS/TASK-scores.csv
/// (runs, mean, population std, head, metric, and ROC AUC when multi-label), the per-class CSV and, for single-label
/// tasks, the confusion picture of the last run; and the <see cref="EvaluationResult"/> that says so.
/// </summary>
internal static class EvaluationReport
{
    /// <summary>
    /// Writes the outputs of <paramref name="runs"/> (one <see cref="ProbeRun"/> per repeat) into
    /// <see cref="EvaluateOptions.ResultsDir"/> (nothing when it is null): <paramref name="mode"/> null names the files
    /// <c>TASK-per-class.csv</c> and <c>TASK-confusion.png</c>, a mode <c>TASK-MODE-per-class.csv</c>, ….
    /// </summary>
    public static EvaluationResult Write(EvaluateOptions options, TaskMetadata metadata, IReadOnlyList<ProbeRun> runs, string model, string head,
        string? mode, int featureD, bool fromCache, IProgressReporter progress)
    {
        string task = options.TaskName;
        var scores = runs.Select(r => r.Score).ToList();
        double mean = scores.Average();
        double std = Math.Sqrt(scores.Sum(a => (a - mean) * (a - mean)) / scores.Count);
        string metric = metadata.MultiLabel ? ScoresCsv.MeanAveragePrecision : ScoresCsv.Accuracy;
        var aucs = metadata.MultiLabel ? runs.Select(r => r.Auc).ToList() : [];
        if (metadata.MultiLabel && runs[0].PerClass!.WithoutPositives is var left && left > 0)
            progress.Message($"warning: {left} of {metadata.Classes.Count} classes have no positive test clip and are left out of the mAP" +
                             $" (e.g. '{metadata.Classes[runs[0].PerClass!.AveragePrecision.Select((v, i) => (v, i)).First(p => double.IsNaN(p.v)).i]}')");
        var extra = new Dictionary<string, string> { [ScoresCsv.HeadColumn] = head, [ScoresCsv.MetricColumn] = metric };
        if (metadata.MultiLabel) extra[ScoresCsv.AucColumn] = ScoresCsv.Format(aucs.Average());
        string? resultsPath = ResultsPath(options);
        if (resultsPath != null) ScoresCsv.Append(resultsPath, model, scores, mean, std, extra);
        PerClassScores? perClass = null;
        PerClassRankingScores? ranking = null;
        if (metadata.MultiLabel)
        {
            var labelSets = ProbeProtocol.LabelSets(metadata);
            var positives = new int[metadata.Classes.Count];
            foreach (var row in runs[0].TestRows)
                foreach (var c in labelSets[row]) positives[c]++;
            ranking = new PerClassRankingScores(metadata.Classes, positives,
                runs.Select(r => r.PerClass!.AveragePrecision).ToList(), runs.Select(r => r.PerClass!.Auc).ToList());
        }
        else perClass = PerClassScores.Compute(metadata, runs.Select(r => r.Predictions).ToList());
        string? perClassPath = null, confusionPath = null;
        if (options.ResultsDir != null)
        {
            string stem = mode == null ? task : $"{task}-{mode}";
            perClassPath = Path.Combine(options.ResultsDir, $"{stem}-per-class.csv");
            if (ranking != null) ranking.WriteCsv(perClassPath);
            else
            {
                perClass!.WriteCsv(perClassPath);
                confusionPath = Path.Combine(options.ResultsDir, $"{stem}-confusion.png");
                ConfusionMatrixPlot.Write(perClass, $"{task}: {model}", confusionPath);
            }
        }
        return new EvaluationResult(task, model, options.ResolvedUnitSec, scores, mean, std, metadata.Rows.Count, metadata.Classes.Count, featureD,
            fromCache, resultsPath)
        {
            Head = head,
            Metric = metric,
            Aucs = aucs,
            PerClass = perClass,
            PerClassRanking = ranking,
            PerClassPath = perClassPath,
            ConfusionPath = confusionPath,
        };
    }

    /// <summary>RESULTS/TASK-scores.csv, or null when no results are written.</summary>
    public static string? ResultsPath(EvaluateOptions options) =>
        options.ResultsDir != null ? Path.Combine(options.ResultsDir, $"{options.TaskName}-scores.csv") : null;

    /// <summary>
    /// Before the long work, not after it: refuses a scores file of another kind and a results folder that cannot be
    /// written.
    /// </summary>
    public static void CheckWritable(EvaluateOptions options)
    {
        if (ResultsPath(options) is not { } path) return;
        ScoresCsv.Check(path);
        Data.AtomicFile.CheckWritable(path);
    }
}
