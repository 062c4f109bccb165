export { UsageError } from '@dcgan/cli';
