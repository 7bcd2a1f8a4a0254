using MassTransit;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Definitions;
using Persisters.Contracts;
using Persisters.Host.Configuration;
using Persisters.Persistence;
using Spectre.Console;

namespace Persisters.Host.Cli;

/// <summary>The host of a verb that is not the service: no web server, its own lifetime, a clean stop however the verb ends.</summary>
public static class VerbHost
{
    /// <summary>How long a verb waits for its bus to reach the broker before it gives up (exit code 4).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A host builder without a web server (these verbs must not compete for the service's port), with the verb's host arguments.
    /// The console shows <paramref name="minimum"/> and above (a provider rule, so it outranks the category rules of
    /// appsettings.json), and nothing from MassTransit or the host's start below Critical: the verb reports a failed send or start
    /// itself, in one line.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] hostArgs, LogLevel minimum)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, minimum);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("MassTransit", LogLevel.Critical);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Microsoft.Extensions.Hosting", LogLevel.Critical); // "Hosting failed to start": the verb says why
        return builder;
    }

    /// <summary>
    /// Starts <paramref name="host"/> (within <paramref name="startTimeout"/>), runs <paramref name="work"/> with a token that Ctrl+C or
    /// SIGTERM (the host's lifetime) cancels, and always stops the host. A broker failure (refused send, unreachable broker)
    /// becomes a <see cref="SendRefusedException"/>.
    /// </summary>
    /// <param name="tooLarge">The verb's advice for a message over the broker's size limit, given its size and the limit.</param>
    public static async Task<int> RunAsync(IHost host, TransportKind transport, TimeSpan startTimeout, Func<CancellationToken, Task<int>> work, CancellationToken ct,
        Func<int, int, string>? tooLarge = null)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            using (var starting = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                starting.CancelAfter(startTimeout);
                try
                {
                    // WaitAsync: a bus whose transport retries for ever (an SQS endpoint that cannot be reached) ignores the token.
                    await host.StartAsync(starting.Token).WaitAsync(starting.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new SendRefusedException($"The broker ({transport}) could not be reached within {startTimeout.TotalSeconds:0.#} s: check the Transport settings.");
                }
            }
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            return await work(stopping.Token);
        }
        catch (Exception ex) when (ex is not SettingsException && SendRefusedException.From(ex, transport, tooLarge) is { } refused)
        {
            throw refused;
        }
        finally
        {
            // The host stops within its shutdown timeout; a bus that never started may not notice, so the wait is bounded too.
            var shutdown = host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
            try
            {
                await host.StopAsync(CancellationToken.None).WaitAsync(shutdown + TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="experiment"/> the way a user does (<c>persisters experiments create</c>, <c>POST /v1/experiments</c>):
    /// <see cref="CreateExperiment"/> as a request to the experiment-lifecycle saga's queue (<see cref="OperatorCommands.ExperimentLifecycleQueue"/>),
    /// then <see cref="StartExperiment"/> when the saga left it waiting. The saga stores the row and publishes
    /// <see cref="PersisterDemandChanged"/>, so the persisters of every host consume for it.
    /// </summary>
    /// <returns>
    /// <see cref="PersistersCommandLine.Done"/> once it runs; <see cref="PersistersCommandLine.Rejected"/> with the saga's reason, or
    /// <see cref="PersistersCommandLine.NoAnswer"/> when no saga answered within <paramref name="timeout"/> (both written to standard error).
    /// </returns>
    public static async Task<int> CreateRunningExperimentAsync(IServiceProvider services, ExperimentDefinition experiment, TimeSpan timeout, CancellationToken ct)
    {
        var bus = services.GetRequiredService<IBus>();
        var queue = new Uri($"queue:{OperatorCommands.ExperimentLifecycleQueue(services.GetRequiredService<IConfiguration>())}");
        var wait = RequestTimeout.After(ms: (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds));
        try
        {
            var created = await bus.CreateRequestClient<CreateExperiment>(queue, wait).GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(new CreateExperiment
            {
                ExperimentId = experiment.ExperimentId,
                EnvironmentId = experiment.EnvironmentId,
                Name = experiment.Name,
                FeatureId = experiment.FeatureId,
                FeatureVersion = experiment.FeatureVersion,
                VariationIds = experiment.VariationIds,
                BaselineVariationId = experiment.BaselineVariationId,
                GoalIds = experiment.GoalIds,
                StartAt = experiment.StartAt,
                StopAt = experiment.StopAt,
            }, ct);
            if (created.Is(out Response<ExperimentCommandRejected>? rejected)) return await RejectedAsync(rejected!.Message);
            if (created.Is(out Response<ExperimentCommandAccepted>? accepted) && accepted!.Message.Status != ExperimentStatus.Running)
            {
                var started = await bus.CreateRequestClient<StartExperiment>(queue, wait).GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(
                    new StartExperiment { ExperimentId = experiment.ExperimentId }, ct);
                if (started.Is(out Response<ExperimentCommandRejected>? notStarted)) return await RejectedAsync(notStarted!.Message);
            }
        }
        catch (RequestTimeoutException)
        {
            await Console.Error.WriteLineAsync($"The experiment lifecycle gave no answer within {timeout.TotalSeconds:0.#} s: is a persisters service running on this broker?");
            return PersistersCommandLine.NoAnswer;
        }
        // Persisters in this process whose definitions are cached (Persisters:OnDemand=false) read the new experiment at once.
        services.GetService<LiveDefinitions>()?.Invalidate();
        return PersistersCommandLine.Done;

        static async Task<int> RejectedAsync(ExperimentCommandRejected r)
        {
            await Console.Error.WriteLineAsync($"The experiment lifecycle rejected experiment {r.ExperimentId}: {r.Reason}");
            return PersistersCommandLine.Rejected;
        }
    }

    /// <summary>Publishes <paramref name="events"/> in batches of 500, four batches in flight, advancing <paramref name="task"/>.</summary>
    public static async Task PublishAsync<T>(IBus bus, IReadOnlyList<T> events, ProgressTask task, CancellationToken ct) where T : class
    {
        const int chunk = 500;
        using var inFlight = new SemaphoreSlim(4);
        var tasks = new List<Task>();
        for (var offset = 0; offset < events.Count; offset += chunk)
        {
            var slice = events.Skip(offset).Take(chunk).ToList();
            await inFlight.WaitAsync(ct);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await bus.PublishBatch(slice, ct);
                    task.Increment(slice.Count);
                }
                finally
                {
                    inFlight.Release();
                }
            }, ct));
        }
        await Task.WhenAll(tasks);
        task.Value = task.MaxValue;
    }

    /// <summary>Polls <paramref name="count"/> (a row count) every 200 ms until it reaches <paramref name="expected"/> or <paramref name="timeout"/> passes; returns the last count.</summary>
    public static async Task<long> WaitForRowsAsync(IPersistersDbContextFactory factory, Func<PersistersDbContext, CancellationToken, Task<long>> count, long expected,
        ProgressTask task, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        long current;
        while (true)
        {
            current = await CountRowsAsync(factory, count, ct);
            task.Value = Math.Min(current, task.MaxValue);
            if (current >= expected || DateTime.UtcNow > deadline) break;
            await Task.Delay(200, ct);
        }
        task.StopTask();
        return current;
    }

    /// <summary>One count on a context of its own.</summary>
    public static async Task<long> CountRowsAsync(IPersistersDbContextFactory factory, Func<PersistersDbContext, CancellationToken, Task<long>> count, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        return await count(db, ct);
    }

    /// <summary>
    /// Spectre.Console's live progress display on a terminal. When standard output is not one (a pipe, a file, a CI log) it is not
    /// refreshed while it runs, so no line per percentage step is left behind; the final state is written once at the end.
    /// </summary>
    public static Progress Progress(params ProgressColumn[] columns)
    {
        var progress = AnsiConsole.Progress().Columns(columns);
        return AnsiConsole.Profile.Capabilities.Interactive ? progress : progress.AutoRefresh(false);
    }
}
