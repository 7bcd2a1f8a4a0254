using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Persisters.ServiceBus.Emulator.Tests;

/// <summary>
/// The four AMQP outcomes a peek-lock receiver can send, on a raw Microsoft.Azure.Amqp link (the SDK itself sends
/// accepted, modified and rejected, and releases a message that arrives with no receive call waiting), as Service Bus
/// treats them: accepted completes; released unlocks without counting a delivery (Service Bus team, Azure/amqpnetlite#342);
/// modified abandons and counts a delivery whether delivery-failed is true or not (the SDK's abandon sends it unset);
/// rejected dead-letters.
/// </summary>
[Collection(nameof(EmulatorCollection))]
public sealed class When_amqp_outcomes_settle_messages(EmulatorFixture emulator)
{
    [Fact]
    public async Task A_released_message_goes_back_available_with_its_delivery_count_unchanged()
    {
        string queue = await QueueWithOneMessage(maxDeliveryCount: 2);
        await using (RawReceiver raw = await RawReceiver.OpenAsync(emulator, queue))
        {
            for (int release = 1; release <= 3; release++)
            {
                AmqpMessage message = await raw.ReceiveAsync();
                Assert.Equal(0u, message.Header.DeliveryCount);
                Assert.IsType<Released>(await raw.SettleAsync(message, new Released()));

                JsonElement stats = await emulator.StatsAsync(queue);
                Assert.Equal(1, stats.GetProperty("activeMessages").GetInt32());
                Assert.Equal(0, stats.GetProperty("lockedMessages").GetInt32());
                Assert.Equal(release, stats.GetProperty("released").GetInt32());
            }
        }

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage again = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(1, again.DeliveryCount);
        await receiver.CompleteMessageAsync(again);
        JsonElement after = await emulator.StatsAsync(queue);
        Assert.Equal(0, after.GetProperty("abandoned").GetInt32());
        Assert.Equal(0, after.GetProperty("deadLettered").GetInt32());
        Assert.Equal(1, after.GetProperty("completed").GetInt32());
    }

    [Fact]
    public async Task A_modified_message_is_abandoned_and_counted_whether_or_not_delivery_failed_is_set()
    {
        string queue = await QueueWithOneMessage(maxDeliveryCount: 3);
        await using (RawReceiver raw = await RawReceiver.OpenAsync(emulator, queue))
        {
            AmqpMessage first = await raw.ReceiveAsync();
            Assert.Equal(0u, first.Header.DeliveryCount);
            Assert.IsType<Modified>(await raw.SettleAsync(first, new Modified { DeliveryFailed = true }));

            AmqpMessage second = await raw.ReceiveAsync();
            Assert.Equal(1u, second.Header.DeliveryCount);
            Assert.IsType<Modified>(await raw.SettleAsync(second, new Modified { DeliveryFailed = false }));

            AmqpMessage third = await raw.ReceiveAsync();
            Assert.Equal(2u, third.Header.DeliveryCount);
            Assert.IsType<Modified>(await raw.SettleAsync(third, new Modified()));
        }

        JsonElement stats = await emulator.StatsAsync(queue);
        Assert.Equal(3, stats.GetProperty("abandoned").GetInt32());
        Assert.Equal(0, stats.GetProperty("released").GetInt32());
        await using ServiceBusReceiver deadLetters = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
    }

    [Fact]
    public async Task A_rejected_message_is_dead_lettered_at_once()
    {
        string queue = await QueueWithOneMessage(maxDeliveryCount: 10);
        await using (RawReceiver raw = await RawReceiver.OpenAsync(emulator, queue))
        {
            AmqpMessage message = await raw.ReceiveAsync();
            Assert.IsType<Rejected>(await raw.SettleAsync(message, new Rejected()));
        }

        JsonElement stats = await emulator.StatsAsync(queue);
        Assert.Equal(0, stats.GetProperty("activeMessages").GetInt32());
        Assert.Equal(1, stats.GetProperty("deadLettered").GetInt32());
        await using ServiceBusReceiver deadLetters = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Equal("payload", (await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!.Body.ToString());
    }

    private async Task<string> QueueWithOneMessage(int maxDeliveryCount)
    {
        string queue = await emulator.CreateQueueAsync(o => o.MaxDeliveryCount = maxDeliveryCount);
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("payload"));
        return queue;
    }

    /// <summary>
    /// A peek-lock receiver link without automatic credit (as the SDK's with prefetch off): each receive call grants
    /// one credit, so a settled message is not delivered again until the next call.
    /// </summary>
    private sealed class RawReceiver : IAsyncDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
        private readonly AmqpConnection connection;
        private readonly ReceivingAmqpLink link;

        private RawReceiver(AmqpConnection connection, ReceivingAmqpLink link)
        {
            this.connection = connection;
            this.link = link;
        }

        public static async Task<RawReceiver> OpenAsync(EmulatorFixture emulator, string queue)
        {
            AmqpConnection connection = await new AmqpConnectionFactory().OpenConnectionAsync(
                new Uri($"amqp://RootManageSharedAccessKey:SAS_KEY_VALUE@127.0.0.1:{emulator.Host.AmqpPort}"), Timeout);
            AmqpSession session = connection.CreateSession(new AmqpSessionSettings());
            await session.OpenAsync(Timeout);
            var link = new ReceivingAmqpLink(session, new AmqpLinkSettings
            {
                LinkName = "raw-receiver-" + Guid.NewGuid().ToString("N")[..8],
                Role = true,
                SettleType = SettleMode.SettleOnDispose,
                Source = new Source { Address = queue },
                Target = new Target { Address = "raw-receiver" },
                TotalLinkCredit = 0,
                AutoSendFlow = false,
            });
            await link.OpenAsync(Timeout);
            return new RawReceiver(connection, link);
        }

        public async Task<AmqpMessage> ReceiveAsync()
        {
            IEnumerable<AmqpMessage> messages = await link.ReceiveMessagesAsync(1, TimeSpan.Zero, Timeout, CancellationToken.None);
            return Assert.Single(messages);
        }

        /// <summary>Sends the outcome unsettled and returns the emulator's answer.</summary>
        public async Task<Outcome> SettleAsync(AmqpMessage message, Outcome outcome) =>
            await link.DisposeMessageAsync(message.DeliveryTag, outcome, batchable: false, Timeout);

        public async ValueTask DisposeAsync() => await connection.CloseAsync(Timeout);
    }
}
