using Rein.Forensics.Breadcrumbs;

namespace Rein.Diagnostics.Checks;

/// <summary>Inference breadcrumbs (rein mark, InferenceGuard): a PRE without a POST whose process still lives past
/// inference.hang_after (a hung inference), or whose process is gone (it died mid-inference: killed, crashed, or
/// the machine went down), attributed to its run.</summary>
public sealed class InferencesCheck : IDoctorCheck
{
    public string Name => "inferences";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (ctx.Inferences.Count == 0)
        {
            return
            [
                Finding.Ok(Name, "no inference in flight past its threshold, none died mid-way"),
            ];
        }

        return
        [
            .. ctx.Inferences.Select(i => new Finding(
                Name,
                Severity.Warn,
                i.Describe(),
                i.State == InferenceState.Died
                    ? (
                        i.Pre.RunId is { } run
                            ? $"what the run did: rein journal show {run}"
                            : "the worker exited without a POST: check its log and rein doctor's panics and crashes"
                    )
                    : $"the model call has not returned: look at pid {i.Pre.Pid} (py-spy dump, a debugger), or kill it",
                Details.Of(
                    ("state", OpenInference.StateName(i.State)),
                    ("model", i.Pre.Model),
                    ("pid", i.Pre.Pid),
                    ("pid_start", i.Pre.PidStart),
                    ("run_id", i.Pre.RunId),
                    (
                        "pre_at",
                        i.Pre.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture)
                    ),
                    ("age_ms", (long)i.Age.TotalMilliseconds),
                    ("note", i.Pre.Note)
                )
            )),
        ];
    }
}
