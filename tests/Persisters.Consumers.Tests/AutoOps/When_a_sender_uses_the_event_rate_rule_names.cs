using MassTransit;
using Persisters.Contracts;

namespace Persisters.Tests.AutoOps
{
    /// <summary>
    /// The rule commands were renamed to the auto-ops vocabulary (CreateEventRateRule → <see cref="CreateAutoOpsRule"/>, …) and keep
    /// their message URNs: a sender built against the old contract, which knows only the old types, is still consumed and answered.
    /// </summary>
    public sealed class When_a_sender_uses_the_event_rate_rule_names
    {
        [Fact]
        public void The_renamed_commands_keep_the_message_urns_of_the_old_names()
        {
            Assert.Equal("urn:message:Persisters.Contracts:CreateEventRateRule", MessageUrn.ForTypeString<CreateAutoOpsRule>());
            Assert.Equal("urn:message:Persisters.Contracts:StopEventRateRule", MessageUrn.ForTypeString<StopAutoOpsRule>());
            Assert.Equal("urn:message:Persisters.Contracts:DeleteEventRateRule", MessageUrn.ForTypeString<DeleteAutoOpsRule>());
            Assert.Equal(MessageUrn.ForTypeString<CreateEventRateRule>(), MessageUrn.ForTypeString<CreateAutoOpsRule>());
            Assert.Equal(MessageUrn.ForTypeString<StopEventRateRule>(), MessageUrn.ForTypeString<StopAutoOpsRule>());
            Assert.Equal(MessageUrn.ForTypeString<DeleteEventRateRule>(), MessageUrn.ForTypeString<DeleteAutoOpsRule>());
        }

        [Fact]
        public async Task Commands_sent_under_the_old_urns_are_consumed_and_answered()
        {
            await using var h = await AutoOpsRuleHarness.StartAsync();
            var id = Guid.NewGuid();

            var created = (await h.SendRuleCommandAsync(new CreateEventRateRule
            {
                RuleId = id,
                EnvironmentId = "env-1",
                FeatureId = "checkout-button",
                FeatureVersion = 3,
                Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "green", GoalId = "error", MinCount = 50, Threshold = 0.5 }],
            })).ShouldBeAccepted("created");
            var stopped = (await h.SendRuleCommandAsync(new StopEventRateRule { RuleId = id })).ShouldBeAccepted("stopped");
            var deleted = (await h.SendRuleCommandAsync(new DeleteEventRateRule { RuleId = id })).ShouldBeAccepted("deleted");

            Assert.Equal(["CreateEventRateRule", "StopEventRateRule", "DeleteEventRateRule"], new[] { created.Command, stopped.Command, deleted.Command });
            Assert.True(await h.Harness.Consumed.Any<CreateAutoOpsRule>(m => m.Context.Message.RuleId == id));
            Assert.True(await h.Harness.Consumed.Any<DeleteAutoOpsRule>(m => m.Context.Message.RuleId == id));
            var row = await h.RuleRowAsync(id);
            Assert.NotNull(row);
            Assert.Equal((int)AutoOpsRuleStatus.Stopped, row.Status);
            Assert.True(row.Deleted);
        }
    }
}

namespace Persisters.Contracts
{
    // The rule commands exactly as a sender built before the rename declares them: same namespace and names, no [MessageUrn], so
    // MassTransit derives their URNs from the names. Test-only stand-ins for an old client's contract assembly.

    public sealed record CreateEventRateRule
    {
        public Guid RuleId { get; init; }
        public string EnvironmentId { get; init; } = "";
        public string FeatureId { get; init; } = "";
        public int FeatureVersion { get; init; }
        public IReadOnlyList<EventRateClause> Clauses { get; init; } = [];
    }

    public sealed record StopEventRateRule
    {
        public Guid RuleId { get; init; }
    }

    public sealed record DeleteEventRateRule
    {
        public Guid RuleId { get; init; }
    }
}
