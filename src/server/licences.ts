import { GenbenchError } from '../errors.js';

/**
 * Licences of submitted models, as SPDX licence ids (https://spdx.org/licenses/): one id of a built-in list of the
 * common ones (code, weights and data licences), `LicenseRef-<name>` for any other licence, or ids joined by ` OR ` /
 * ` AND `. The leaderboard shows the field as given; a licence that is not such an expression is refused at upload
 * with one line naming the field (a differently cased known id gets a suggestion).
 *
 * @example
 * checkLicence('CC-BY-4.0', 'g.genbench.json');         // 'CC-BY-4.0'
 * checkLicence('MIT OR Apache-2.0', 'g.genbench.json'); // 'MIT OR Apache-2.0'
 * checkLicence('LicenseRef-my-terms', 'genbench.json'); // 'LicenseRef-my-terms'
 * checkLicence('mit', 'genbench.json');                  // throws "genbench.json: field 'license' is 'mit', not an SPDX licence id; did you mean 'MIT'?"
 */
export const SPDX_IDS: ReadonlySet<string> = new Set([
  '0BSD', 'AFL-3.0', 'AGPL-3.0-only', 'AGPL-3.0-or-later', 'Apache-2.0', 'Artistic-2.0', 'BSD-2-Clause', 'BSD-3-Clause',
  'BSD-3-Clause-Clear', 'BSL-1.0', 'CC-BY-3.0', 'CC-BY-4.0', 'CC-BY-NC-3.0', 'CC-BY-NC-4.0', 'CC-BY-NC-ND-3.0',
  'CC-BY-NC-ND-4.0', 'CC-BY-NC-SA-3.0', 'CC-BY-NC-SA-4.0', 'CC-BY-ND-3.0', 'CC-BY-ND-4.0', 'CC-BY-SA-3.0', 'CC-BY-SA-4.0',
  'CC-PDDC', 'CC0-1.0', 'CDLA-Permissive-1.0', 'CDLA-Permissive-2.0', 'CDLA-Sharing-1.0', 'ECL-2.0', 'EPL-1.0', 'EPL-2.0',
  'EUPL-1.2', 'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0-only', 'GPL-3.0-or-later', 'ISC', 'LGPL-2.1-only',
  'LGPL-2.1-or-later', 'LGPL-3.0-only', 'LGPL-3.0-or-later', 'MIT', 'MIT-0', 'MPL-2.0', 'MS-PL', 'NCSA', 'ODbL-1.0',
  'ODC-By-1.0', 'OFL-1.1', 'PDDL-1.0', 'PostgreSQL', 'PSF-2.0', 'Python-2.0', 'Unlicense', 'UPL-1.0',
  'WTFPL', 'X11', 'Zlib',
]);

const LICENSE_REF = /^LicenseRef-[A-Za-z0-9.-]+$/;

/** Whether `s` is a licence this server accepts (see the module comment). */
export function isSpdxLicence(s: string): boolean {
  return s.split(/ (?:OR|AND) /).every((id) => SPDX_IDS.has(id) || LICENSE_REF.test(id));
}

/** `licence` when it is an accepted SPDX expression, else an INPUT error naming `source`'s field. */
export function checkLicence(licence: string, source: string, field = 'license'): string {
  if (isSpdxLicence(licence)) return licence;
  const shown = licence.length > 60 ? `${licence.slice(0, 60)}...` : licence;
  const cased = [...SPDX_IDS].find((id) => id.toLowerCase() === licence.trim().toLowerCase());
  const hint = cased !== undefined ? `did you mean '${cased}'?` : "use an SPDX id such as 'MIT', 'Apache-2.0', 'CC-BY-4.0' or 'CC0-1.0', or 'LicenseRef-<name>' for another licence";
  throw new GenbenchError('INPUT', `${source}: field '${field}' is '${shown}', not an SPDX licence id; ${hint}`);
}
