using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.AutoOps;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// The auto-ops rule command consumer (<see cref="AutoOpsRuleCommandsConsumer"/>, queue <see cref="AutoOpsRegistration.EndpointName"/>)
/// on the MassTransit in-memory test harness (built by <see cref="HarnessBuilder"/>) over a fresh, migrated SQLite file.
/// Each test builds its own.
/// </summary>
public sealed class AutoOpsRuleHarness : IAsyncDisposable
{
    /// <summary>How long a test waits for something that must happen before it fails (an upper bound, not a measurement).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HarnessHost _host;

    private AutoOpsRuleHarness(HarnessHost host) => _host = host;

    public ServiceProvider Provider => _host.Provider;
    public ITestHarness Harness => _host.Harness;

    public static async Task<AutoOpsRuleHarness> StartAsync() =>
        new(await new HarnessBuilder(testTimeout: Patience, inactivityTimeout: TimeSpan.FromMilliseconds(500))
            .Bus(x => x.AddAutoOpsRules())
            .StartAsync());

    /// <summary>Sends an auto-ops rule command as a request and returns the answer.</summary>
    public Task<RuleAnswer> SendRuleCommandAsync<T>(T command) where T : class => _host.SendRuleCommandAsync(command);

    public Task<AutoOpsRuleRow?> RuleRowAsync(Guid ruleId) => _host.RuleRowAsync(ruleId);

    public IReadOnlyList<T> PublishedFor<T>(Guid id, Func<T, Guid> idOf) where T : class => _host.PublishedFor(id, idOf);

    /// <summary>
    /// Waits until a matching message was published: the row is saved before the outbox sends, so a state seen in the
    /// database may be a moment ahead of its events.
    /// </summary>
    public Task<T> ShouldPublishAsync<T>(Guid id, Func<T, Guid> idOf, Func<T, bool> matches) where T : class =>
        _host.ShouldPublishAsync(id, idOf, matches, Patience);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
