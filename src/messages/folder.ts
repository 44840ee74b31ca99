import type { Catalogue } from './text.js';

/** The folder transport. */
export const folderMessages = {
  'folder.folder_path_must_absolute': {
    es: 'folder.path debe ser una ruta absoluta.',
    en: 'folder.path must be an absolute path.',
  },
  'folder.folder_reachable_created_if': {
    es: 'Carpeta accesible (creada si faltaba).',
    en: 'Folder reachable (created if missing).',
  },
  'folder.network_drive_mounted_disk': {
    es: '¿Está montada la unidad de red o conectado el disco?',
    en: 'Is the network drive mounted or the disk plugged in?',
  },
  'folder.not_file_target_not_downloaded': {
    es: '{rel} no es un archivo en el destino; no se descarga.',
    en: '{rel} is not a file at the target; not downloaded.',
  },
  'folder.not_folder': {
    es: '{root} no es una carpeta.',
    en: '{root} is not a folder.',
  },
  'folder.not_found_target_folder': {
    es: 'No existe en la carpeta de destino: {what}',
    en: 'Not found in the target folder: {what}',
  },
  'folder.rel_already_exists': {
    es: '{rel} ya existe.',
    en: '{rel} already exists.',
  },
  'folder.remote_path_not_allowed': {
    es: 'Ruta remota no permitida: {rel}',
    en: 'Remote path not allowed: {rel}',
  },
  'folder.to_already_exists': {
    es: '{to} ya existe.',
    en: '{to} already exists.',
  },
  'folder.too_large_bytes': {
    es: '{rel} es demasiado grande ({size} bytes).',
    en: '{rel} is too large ({size} bytes).',
  },
  'folder.symbolic_link_not_followed': {
    es: 'La carpeta de destino contiene un enlace simbólico ({rel} en {root}): no se sigue fuera de la carpeta; no se escribe, lee ni borra nada a través de él.',
    en: 'The target folder contains a symbolic link ({rel} in {root}): it is not followed out of the folder; nothing is written, read or deleted through it.',
  },
  'folder.symbolic_link_not_followed.hint': {
    es: 'Sustituya el enlace por una carpeta o archivo real, o configure folder.path con la ruta real.',
    en: 'Replace the link with a real folder or file, or set folder.path to the real path.',
  },
} as const satisfies Catalogue;
