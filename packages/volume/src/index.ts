export * from './volume.ts'
