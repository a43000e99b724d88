using System.CommandLine;
using System.Text.Json;
using Rein.Cache;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein cache check SPEC...</c>: is each model on disk already? Filesystem probes only (never a load),
/// cheap enough to run while make parses a Makefile.</summary>
internal static class CacheCommand
{
    public static Command Build()
    {
        var specs = new Argument<string[]>("SPEC")
        {
            Description = "hf:ORG/NAME[@REVISION], whisper:NAME or spacy:NAME",
            Arity = ArgumentArity.OneOrMore,
        };
        var hfCache = new Option<string?>("--hf-cache")
        {
            Description =
                "The Hugging Face hub cache (default: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub)",
            HelpName = "DIR",
        };
        var sitePackages = new Option<string[]>("--site-packages")
        {
            Description = "Where spacy: models are installed (repeatable)",
            HelpName = "DIR",
        };
        var python = new Option<string?>("--python")
        {
            Description =
                "Ask this interpreter for its site-packages (runs it once; only when given)",
            HelpName = "PATH",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.cache/1)",
        };
        var check = new Command(
            "check",
            "Say whether models are in the local cache, without loading them: a Hugging Face snapshot with config.json "
                + "and weights whose blobs exist and are not empty, a whisper NAME.pt, a spaCy package's meta.json. "
                + "Exit 0 when all are cached, 1 otherwise, 2 on a bad spec.\n\nExamples:\n"
                + "  rein cache check hf:openai/whisper-small whisper:small\n"
                + "  rein cache check --site-packages .venv/lib/python3.12/site-packages spacy:en_core_web_sm"
        )
        {
            specs,
            hfCache,
            sitePackages,
            python,
            json,
        };
        check.SetAction(parse =>
        {
            var parsed = new List<CacheSpec>();
            foreach (var text in parse.GetValue(specs) ?? [])
            {
                if (CacheSpec.Parse(text, out var error) is not { } spec)
                {
                    return Usage(error);
                }

                parsed.Add(spec);
            }

            var dirs = (parse.GetValue(sitePackages) ?? []).ToList();
            if (parse.GetValue(python) is { } interpreter)
            {
                if (SitePackagesOf(interpreter, out var why) is not { } found)
                {
                    return Usage(
                        $"--python: cannot ask {interpreter} for its site-packages: {why}"
                    );
                }

                dirs.AddRange(found);
            }

            if (dirs.Count == 0 && parsed.Any(s => s.Kind == "spacy"))
            {
                return Usage(
                    "spacy: needs --site-packages DIR or --python PATH (where the model is installed)"
                );
            }

            var at = CacheLocations.Resolve(
                Environment.GetEnvironmentVariable,
                parse.GetValue(hfCache),
                dirs
            );
            var results = parsed.Select(s => CacheProbe.Check(s, at)).ToList();
            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    JsonSerializer.Serialize(
                        new CacheDocument(results),
                        Rein.Documents.ReinJsonContext.Readable.CacheDocument
                    )
                );
            }
            else
            {
                foreach (var r in results)
                {
                    Console.WriteLine(
                        r.Cached
                            ? $"cached   {CommandText.Escape(r.Spec)}: {CommandText.Escape(r.Found ?? "")}"
                            : $"missing  {CommandText.Escape(r.Spec)}: {CommandText.Escape(r.Missing ?? "")}"
                    );
                }
            }

            return results.All(r => r.Cached) ? ExitCodes.Ok : ExitCodes.Findings;
        });
        return new Command("cache", "Probe local model caches (rein cache check --help)") { check };
    }

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein cache check: {CommandText.Escape(message)}");
        return ExitCodes.BadUsage;
    }

    /// <summary>How long the interpreter may take to name its site-packages before its tree is killed.</summary>
    static readonly TimeSpan PythonTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the interpreter the user named, once, for site.getsitepackages(); bounded (both streams read
    /// as they come, its tree killed at <see cref="PythonTimeout"/>). Null and why when it gave no answer.</summary>
    static List<string>? SitePackagesOf(string interpreter, out string why)
    {
        var r = Rein.Diagnostics.CommandRunner.Instance.Run(
            interpreter,
            ["-c", "import site; print('\\n'.join(site.getsitepackages()))"],
            PythonTimeout
        );
        why =
            !r.Found ? "cannot start it"
            : r.TimedOut ? $"no answer within {PythonTimeout.TotalSeconds:0}s (stopped)"
            : r.ExitCode != 0 ? $"it exited {r.ExitCode}"
            : "";
        if (!r.Ok)
        {
            return null;
        }

        return
        [
            .. r.Stdout.Split(
                '\n',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
            ),
        ];
    }
}
