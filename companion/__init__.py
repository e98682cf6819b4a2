"""companion: the small, tested code behind the course on convolutional neural networks."""
from .conv import Conv2D, conv2d_flip, corr2d, corr2d_fast, receptive_field, receptive_field_size
from .channels import ConvCost, conv2d_cost, corr2d_multi_in, corr2d_multi_in_out, corr2d_multi_in_out_1x1
from .pooling import pool2d, pool2d_multi
from .shapes import comp_conv2d, conv_output_shape, conv_output_size, pad2d
from .data import fashion_mnist_batches, load_fashion_mnist
from .params import cost_table, conv_macs, conv_params, fc_macs, fc_params, human_bytes, param_bytes
from .invariance import (conv_as_fc_matrix, equivariance_error, influence_map, interior_mask,
                         relative_change, shift2d)
from .models import LeNet, init_xavier, layer_summary
from .training import History, confusion_matrix, evaluate_accuracy, predict, train
from .utils import seed_everything, show_source

__all__ = ["Conv2D", "conv2d_flip", "corr2d", "corr2d_fast", "receptive_field", "receptive_field_size",
           "fashion_mnist_batches", "load_fashion_mnist", "seed_everything", "show_source",
           "cost_table", "conv_macs", "conv_params", "fc_macs", "fc_params", "human_bytes", "param_bytes",
           "conv_as_fc_matrix", "equivariance_error", "influence_map", "interior_mask", "relative_change", "shift2d",
           "ConvCost", "conv2d_cost", "corr2d_multi_in", "corr2d_multi_in_out", "corr2d_multi_in_out_1x1",
           "pool2d", "pool2d_multi",
           "comp_conv2d", "conv_output_shape", "conv_output_size", "pad2d",
           "LeNet", "init_xavier", "layer_summary",
           "History", "confusion_matrix", "evaluate_accuracy", "predict", "train"]
