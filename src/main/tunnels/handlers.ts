import type { tunnelRequests, tunnelStreams } from '../../shared/contract/tunnels';
import type { HandlersOf, StreamProviders } from '../host/dispatcher';
import type { TunnelService } from './tunnel-service';

/** `tunnels:`: open, close and list port-forwards; credentials used through them stay in main. */
export function tunnelHandlers(tunnels: TunnelService): HandlersOf<keyof typeof tunnelRequests> {
  return {
    'tunnels:open': (request) => tunnels.open(request),
    'tunnels:close': ({ id }) => ({ closed: tunnels.close(id) }),
    'tunnels:list': ({ context }) => tunnels.list(context),
  };
}

/** `tunnels:watch`: every tunnel now, then each change. */
export function tunnelProviders(tunnels: TunnelService): Pick<StreamProviders, keyof typeof tunnelStreams> {
  return {
    'tunnels:watch': (_input, sink) => {
      sink.emit({ type: 'snapshot', tunnels: tunnels.list() });
      return tunnels.onDidChange((tunnel) => sink.emit({ type: 'changed', tunnel }));
    },
  };
}
