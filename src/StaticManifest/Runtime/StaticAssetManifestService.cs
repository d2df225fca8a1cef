using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Wharf.StaticManifest.Runtime;

/// <summary>
/// Loads the manifest while the host starts — before any hosted service's <c>StartAsync</c>, the web server's
/// included — so a missing or broken manifest stops the start instead of failing the first request; then polls the
/// source for changes until the host stops.
/// </summary>
internal sealed class StaticAssetManifestService(StaticAssetManifestProvider provider, IOptions<StaticAssetOptions> options, TimeProvider timeProvider)
    : IHostedLifecycleService, IDisposable
{
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    public Task StartingAsync(CancellationToken cancellationToken) => provider.EnsureLoadedAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        StaticAssetOptions value = options.Value;
        if (value.ReloadOnChange)
        {
            _stopping = new CancellationTokenSource();
            _loop = provider.RunReloadLoopAsync(value.EffectiveReloadInterval, timeProvider, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || _loop is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        // A check in flight ends at its next await; the host's stop timeout bounds the wait.
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping?.Dispose();
}
