/** The settings a case runs under: the shared policy, with its platform's own mode and baseline. */
import type { Settings } from '../config/settings.js';
import type { Platform } from '../db/index.js';
import { settingsForRecharge } from './recharge/settings.js';

export function settingsForPlatform(s: Settings, platform: Platform): Settings {
  return platform === 'recharge' && s.recharge ? settingsForRecharge(s, s.recharge) : s;
}
